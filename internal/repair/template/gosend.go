package template

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// leakedSend fixes a goroutine blocked for ever on a channel send: the
// function that started it stopped receiving (it returned on its
// context, say) and nothing else will. When that goroutine is the
// channel's only sender and sends once, a buffer of one lets the send
// complete with nobody receiving ("buffered-send"); when senders are
// many or send in a loop, the send gives up with the function's context
// ("send-or-done").
func leakedSend(pr *problem) []*fix {
	if !pr.kindIs("leak", "blocked", "timeout", "deadlock") {
		return nil
	}
	return firstGoFix(pr.goSites(), func(g goSite) *fix {
		if !strings.Contains(pr.waitReason(g.Node), "chan send") && !strings.Contains(pr.text, "chan send") {
			return nil
		}
		return leakedSendIn(pr, g)
	})
}

// sendSite is a send on a channel the function makes, from a goroutine
// it starts.
type sendSite struct {
	send   *ast.SendStmt
	ch     types.Object
	mk     *ast.CallExpr // make(chan T)
	mkPath []ast.Node    // path from the body to the make
	goStmt *ast.GoStmt
	path   []ast.Node // path from the body to the send
	sends  int        // sends on ch in the function
	other  bool       // ch is used other than by make, send and receive
}

func leakedSendIn(pr *problem, g goSite) *fix {
	p := g.p
	ss := findSend(p, g.fd, g.Line)
	if ss == nil || ss.other {
		return nil
	}
	ed := p.editor(g.File)
	name := ss.ch.Name()
	once := ss.sends == 1 && !inLoop(ss.path, ss.goStmt.Call.Fun) && !loopBetween(ss.mkPath, ss.path)
	if once {
		ed.replace(ss.mk, fmt.Sprintf("make(%s, 1)", p.text(g.File, ss.mk.Args[0])))
		why := fmt.Sprintf("buffered-send: the goroutine %s starts sends its one result on %s, an unbuffered channel; when %s returns "+
			"without receiving (its context ended first) nothing ever will, and the sender blocks for ever (%s). A buffer of one "+
			"lets that single send complete whether or not anyone receives, and the channel is garbage once both are done; "+
			"the receiving side is unchanged and one expression changes, inside %s.",
			g.fd.Name.Name, name, g.fd.Name.Name, sendEvidence(pr, g), g.fd.Name.Name)
		f := ed.fix("buffered-send", g.site, why, g.span())
		if f != nil {
			f.test = leakTest(pr, g)
		}
		return f
	}
	ctx := ctxParam(g.fd)
	if ctx == "" || !isParam(p, g.fd, ss.send, ctx) {
		return nil
	}
	ed.replace(ss.send, fmt.Sprintf("select {\ncase %s:\ncase <-%s.Done():\n}", p.text(g.File, ss.send), ctx))
	why := fmt.Sprintf("send-or-done: goroutines started by %s send on %s, and once %s stops receiving (its context ended) "+
		"the remaining sends block for ever (%s). Sending in a select with %s.Done() lets each sender give up when the "+
		"work it serves is cancelled; receivers are unchanged and only the send changes, inside %s.",
		g.fd.Name.Name, name, g.fd.Name.Name, sendEvidence(pr, g), ctx, g.fd.Name.Name)
	f := ed.fix("send-or-done", g.site, why, g.span())
	if f != nil {
		f.test = leakTest(pr, g)
	}
	return f
}

func sendEvidence(pr *problem, g goSite) string {
	if w := pr.waitReason(g.Node); w != "" {
		return fmt.Sprintf("the dump has it parked in [%s] at %s:%d", w, g.File, g.Line)
	}
	return fmt.Sprintf("the evidence has it stuck at %s:%d", g.File, g.Line)
}

// findSend finds the send on the site's line, inside a goroutine fd
// starts, on a channel fd makes unbuffered; it counts the channel's
// sends and notes other uses.
func findSend(p *goPkg, fd *ast.FuncDecl, line int) *sendSite {
	var ss *sendSite
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		s, ok := n.(*ast.SendStmt)
		if !ok || ss != nil || p.line(s.Pos()) != line {
			return ss == nil
		}
		if id, ok := s.Chan.(*ast.Ident); ok {
			ss = &sendSite{send: s, ch: p.objOf(id)}
		}
		return false
	})
	if ss == nil || ss.ch == nil {
		return nil
	}
	ss.path = pathTo(fd.Body, ss.send)
	for _, n := range ss.path {
		if gs, ok := n.(*ast.GoStmt); ok {
			ss.goStmt = gs
		}
	}
	if ss.goStmt == nil {
		return nil
	}
	if _, ok := ss.goStmt.Call.Fun.(*ast.FuncLit); !ok {
		return nil
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == 1 && len(n.Rhs) == 1 && p.objOf(n.Lhs[0]) == ss.ch {
				if c, ok := n.Rhs[0].(*ast.CallExpr); ok && isUnbufferedMake(c) {
					ss.mk, ss.mkPath = c, pathTo(fd.Body, n)
					return false
				}
				ss.other = true
			}
		case *ast.SendStmt:
			if p.objOf(n.Chan) == ss.ch {
				ss.sends++
				ast.Inspect(n.Value, func(m ast.Node) bool { ss.other = ss.other || usesObj(p, m, ss.ch); return !ss.other })
				return false
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && p.objOf(n.X) == ss.ch {
				return false
			}
		case *ast.Ident:
			if p.objOf(n) == ss.ch {
				ss.other = true // passed, stored or closed elsewhere
			}
		}
		return true
	})
	if ss.mk == nil {
		return nil
	}
	return ss
}

func isUnbufferedMake(c *ast.CallExpr) bool {
	id, ok := c.Fun.(*ast.Ident)
	if !ok || id.Name != "make" || len(c.Args) != 1 {
		return false
	}
	_, ok = c.Args[0].(*ast.ChanType)
	return ok
}

func usesObj(p *goPkg, n ast.Node, obj types.Object) bool {
	id, ok := n.(*ast.Ident)
	return ok && p.objOf(id) == obj
}

// loopBetween reports whether the send's path enters a loop that the
// make's path does not: the goroutine then starts more than once per
// channel.
func loopBetween(mk, send []ast.Node) bool {
	common := 0
	for common < len(mk) && common < len(send) && mk[common] == send[common] {
		common++
	}
	for _, n := range send[common:] {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncLit:
			return false // loops inside the goroutine count as sends in a loop (inLoop)
		}
	}
	return false
}

// isParam reports whether name at n is fd's parameter of that name, not
// something declared over it.
func isParam(p *goPkg, fd *ast.FuncDecl, n ast.Node, name string) bool {
	var param types.Object
	for _, f := range fd.Type.Params.List {
		for _, id := range f.Names {
			if id.Name == name {
				param = p.info.Defs[id]
			}
		}
	}
	scope := p.pkg.Scope().Innermost(n.Pos())
	if param == nil || scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, n.Pos())
	return obj == param
}

// leakTest calls the function with a context that is already cancelled,
// many times, and fails if the goroutines it starts outlive it.
func leakTest(pr *problem, g goSite) *regressionTest {
	p := g.p
	fobj, _ := p.info.Defs[g.fd.Name].(*types.Func)
	ctx := ctxParam(g.fd)
	if fobj == nil || ctx == "" {
		return nil
	}
	sig := fobj.Type().(*types.Signature)
	var args []string
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		if v.Name() == ctx {
			args = append(args, "ctx")
			continue
		}
		s, ok := pr.goValue(p, v.Name(), v.Type())
		if !ok {
			return nil
		}
		args = append(args, s)
	}
	call, imports, ok := pr.callExpr(p, g.fd, strings.Join(args, ", "))
	if !ok {
		return nil
	}
	fn := g.fd.Name.Name
	body := fmt.Sprintf(`before := runtime.NumGoroutine()
ctx, cancel := context.WithCancel(context.Background())
cancel()
for i := 0; i < 20; i++ {
	%s
}
deadline := time.Now().Add(2 * time.Second)
for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
	time.Sleep(10 * time.Millisecond)
}
if n := runtime.NumGoroutine() - before; n > 0 {
	t.Fatalf("%%d goroutines started by %s outlived their cancelled calls", n)
}`, call, fn)
	doc := fmt.Sprintf("%s with a cancelled context must not\n// leave the goroutines it starts blocked behind it.", fn)
	return goTest(p, fn, doc, body, dedupe(append(imports, "context", "runtime", "testing", "time"))...)
}

// callExpr writes a call of fd with args: on a receiver built by the
// package tests' constructor, or on a new zero value of it.
func (pr *problem) callExpr(p *goPkg, fd *ast.FuncDecl, args string) (string, []string, bool) {
	if fd.Recv == nil {
		return fmt.Sprintf("%s(%s)", fd.Name.Name, args), nil, true
	}
	recv, imports, ok := pr.receiver(p, fd)
	return fmt.Sprintf("%s.%s(%s)", recv, fd.Name.Name, args), imports, ok
}

// receiver writes an expression that builds a method's receiver: the
// package tests' constructor call, else a new zero value.
func (pr *problem) receiver(p *goPkg, fd *ast.FuncDecl) (string, []string, bool) {
	t := p.recvNamed(fd)
	if t == nil {
		return "", nil, false
	}
	if recv, imports := pr.constructorOf(p, t); recv != "" {
		return recv, imports, true
	}
	if _, ok := t.Underlying().(*types.Struct); !ok {
		return "", nil, false
	}
	return "(&" + t.Obj().Name() + "{})", nil, true
}
