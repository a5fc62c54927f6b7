package template

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// outboundCalls are the library functions that wait for another
// service's answer; a goroutine parked under one of them waits for as
// long as the request's context allows.
var outboundCalls = []string{
	"net/http.(*Client).", "net/http.Get", "net/http.Post", "net/http.Head", "net/http.PostForm",
	"net.Dial", "net.(*Dialer).Dial",
}

func isOutbound(fn string) bool {
	for _, p := range outboundCalls {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// ctxTimeout fixes an outbound HTTP call that cannot time out: the
// request is built on context.Background() (or without a context), so a
// service that accepts the connection and never answers holds the caller
// forever. The request is built on the function's own context when it
// has one — the caller's deadline then bounds the call — and otherwise on
// a context with a timeout, cancelled when the function returns.
func ctxTimeout(pr *problem) []*fix {
	if !pr.kindIs("timeout", "blocked", "leak") {
		return nil
	}
	return firstGoFix(append(pr.outboundSites(), pr.goSites()...), func(g goSite) *fix { return ctxTimeoutIn(pr, g) })
}

// outboundSites are the in-app frames that made an outbound call on the
// graph's waiting threads. The RCA ranks waits in the application's own
// code, and a goroutine stuck in net/http waits in the library's, so a
// dump of a stalled call has it in the graph but not among the report's
// candidates.
func (pr *problem) outboundSites() []goSite {
	g := pr.req.Graph
	if g == nil {
		return nil
	}
	var out []goSite
	g.Nodes(epg.KindThread, func(_ int32, t *epg.Node) bool {
		if t.Attrs.Str(epg.AttrThreadWaitFor) == "" {
			return true
		}
		via := ""
		for _, f := range threadFrames(g, t.ID) {
			if f.Loc != nil && f.Loc.InApp {
				s := site{File: pr.repo.resolve(f.Loc.File), Line: f.Loc.Line, Function: f.Loc.Function, Node: f.ID, Why: "waits in " + via}
				if gs, ok := pr.goSiteOf(s); ok && via != "" {
					out = append(out, gs)
				}
				break
			}
			if isOutbound(f.Name) {
				via = f.Name // the outermost: the call the application made
			}
		}
		return true
	})
	return out
}

func ctxTimeoutIn(pr *problem, g goSite) *fix {
	p, rel := g.p, g.File
	do := doCallOn(p, g.fd, g.Line)
	if do == nil {
		return nil
	}
	stmt, mk := requestOf(p, rel, g.fd, do.Args[0].(*ast.Ident))
	if mk == nil {
		return nil
	}
	fn := mk.Fun.(*ast.SelectorExpr).Sel.Name
	if fn == "NewRequestWithContext" && !p.isCallTo(rel, mk.Args[0], "context", "Background", "TODO") {
		return nil // the request already carries a context the caller chose
	}
	ed := p.editor(rel)
	ctx, how := ctxParam(g.fd), ""
	if ctx != "" {
		how = fmt.Sprintf("Building the request on %s, %s's own context, makes the call end with its caller's deadline or cancellation", ctx, g.fd.Name.Name)
	} else {
		if returnsResponse(g.fd) {
			return nil // cancelling on return would cut the body the caller reads
		}
		parent := "context.Background()"
		if r := requestParam(g.fd); r != "" {
			parent = r + ".Context()"
		}
		ctx = p.freeName(stmt.Pos(), "ctx")
		cancel := p.freeName(stmt.Pos(), "cancel")
		ed.insertBefore(stmt, fmt.Sprintf("%s, %s := context.WithTimeout(%s, 10*time.Second)\ndefer %s()", ctx, cancel, parent, cancel))
		ed.addImport("context")
		ed.addImport("time")
		how = fmt.Sprintf("%s has no context parameter, so the call gets a 10 s timeout derived from %s, cancelled when it returns", g.fd.Name.Name, parent)
	}
	if fn == "NewRequestWithContext" {
		ed.replace(mk.Args[0], ctx)
	} else {
		var args []string
		for _, a := range mk.Args {
			args = append(args, p.text(rel, a))
		}
		ed.replace(mk, fmt.Sprintf("%s.NewRequestWithContext(%s, %s)", p.importName(rel, "net/http"), ctx, strings.Join(args, ", ")))
	}
	why := fmt.Sprintf("ctx-timeout: %s builds its request with %s, so %s at %s:%d has no deadline: a service that accepts the connection "+
		"and never answers holds the goroutine for ever (%s). %s; the request line changes, inside %s.",
		g.fd.Name.Name, p.text(rel, mk.Fun), p.text(rel, do.Fun), rel, p.line(do.Pos()), evidenceOfWait(g), how, g.fd.Name.Name)
	return ed.fix("ctx-timeout", g.site, why, g.span())
}

// evidenceOfWait says where the evidence saw the goroutine wait.
func evidenceOfWait(g goSite) string {
	if strings.HasPrefix(g.Why, "waits in ") {
		return "the dump has it waiting in " + strings.TrimPrefix(g.Why, "waits in ")
	}
	return "the evidence has it waiting there"
}

// doCallOn finds `client.Do(req)` on a line of fd.
func doCallOn(p *goPkg, fd *ast.FuncDecl, line int) *ast.CallExpr {
	var out *ast.CallExpr
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || out != nil || p.line(c.Pos()) > line || line > p.line(c.End()) {
			return out == nil
		}
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Do" && len(c.Args) == 1 {
			if _, ok := c.Args[0].(*ast.Ident); ok {
				out = c
			}
		}
		return out == nil
	})
	return out
}

// requestOf finds the statement that builds req with http.NewRequest or
// http.NewRequestWithContext in fd.
func requestOf(p *goPkg, rel string, fd *ast.FuncDecl, req *ast.Ident) (ast.Stmt, *ast.CallExpr) {
	obj := p.objOf(req)
	if obj == nil {
		return nil, nil
	}
	var stmt ast.Stmt
	var mk *ast.CallExpr
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || mk != nil || len(as.Rhs) != 1 || len(as.Lhs) == 0 {
			return mk == nil
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok && p.objOf(id) == obj && p.isCallTo(rel, as.Rhs[0], "net/http", "NewRequest", "NewRequestWithContext") {
			stmt, mk = as, as.Rhs[0].(*ast.CallExpr)
		}
		return mk == nil
	})
	return stmt, mk
}

// requestParam is the name of fd's *http.Request parameter, "" when none.
func requestParam(fd *ast.FuncDecl) string {
	for _, f := range fd.Type.Params.List {
		if types.ExprString(f.Type) == "*http.Request" && len(f.Names) > 0 {
			return f.Names[0].Name
		}
	}
	return ""
}

// returnsResponse reports whether fd hands a response or its body to its
// caller.
func returnsResponse(fd *ast.FuncDecl) bool {
	if fd.Type.Results == nil {
		return false
	}
	for _, f := range fd.Type.Results.List {
		if t := types.ExprString(f.Type); strings.Contains(t, "http.Response") || strings.Contains(t, "io.") {
			return true
		}
	}
	return false
}
