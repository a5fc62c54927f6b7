package template

import (
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// unlockEveryPath fixes a mutex left locked: a function locks it and
// returns early before its Unlock, so the next Lock — in any function —
// blocks for ever. The evidence is a goroutine parked in Lock on a mutex
// no live stack holds; the template looks for the path that skipped the
// Unlock among every function of the package that locks the same mutex.
// When the function locks at its top level and nothing but a plain return
// follows the Unlock, the Unlock is deferred right after the Lock
// ("defer-unlock"); otherwise each early return unlocks first
// ("unlock-on-return").
func unlockEveryPath(pr *problem) []*fix {
	if !pr.kindIs("deadlock", "blocked", "timeout") {
		return nil
	}
	return firstGoFix(pr.goSites(), func(g goSite) *fix { return unlockEveryPathAt(pr, g) })
}

// lockedPath is a Lock whose Unlock some return path skips.
type lockedPath struct {
	fd      *ast.FuncDecl
	rel     string
	block   *ast.BlockStmt
	lock    ast.Stmt
	unlock  ast.Stmt // nil when the function never unlocks
	returns []*ast.ReturnStmt
	mu      string
}

func unlockEveryPathAt(pr *problem, g goSite) *fix {
	p := g.p
	var mu types.Object
	for _, s := range p.stmtsOnLine(g.fd, g.Line) {
		if x, _, ok := methodCall(s, "Lock", "RLock"); ok {
			mu = p.objOf(x)
		}
	}
	if mu == nil {
		return nil
	}
	lp := findLockedPath(p, g.fd, mu)
	if lp == nil {
		return nil
	}
	ed := p.editor(lp.rel)
	unlock := lp.mu + ".Unlock()"
	if _, m, _ := methodCall(lp.lock, "Lock", "RLock"); m == "RLock" {
		unlock = lp.mu + ".RUnlock()"
	}
	evidence := fmt.Sprintf("the evidence has %s at %s:%d waiting in %s", g.fd.Name.Name, g.File, g.Line, lockWait(pr, g))
	if pr.req.Graph != nil {
		evidence = "the dump" + strings.TrimPrefix(evidence, "the evidence")
	}
	var name, why string
	if deferable(lp) {
		name = "defer-unlock"
		ed.insertAfter(lp.lock, "defer "+unlock)
		change := "A deferred Unlock right after the Lock releases it when " + lp.fd.Name.Name + " returns; one line is added"
		if lp.unlock != nil {
			ed.deleteLines(lp.unlock)
			change = "Deferring the Unlock right after the Lock releases it on every path, and as nothing but the return followed " +
				"the old Unlock the critical section is unchanged; the Unlock moves into a defer"
		}
		why = fmt.Sprintf("defer-unlock: %s locks %s and %s, so the next Lock of %s blocks for ever (%s). %s, inside %s.",
			lp.fd.Name.Name, lp.mu, skipped(p, lp), lp.mu, evidence, change, lp.fd.Name.Name)
	} else {
		name = "unlock-on-return"
		for _, r := range lp.returns {
			ed.insertBefore(r, unlock)
		}
		why = fmt.Sprintf("unlock-on-return: %s locks %s and %s, so the next Lock of %s blocks for ever (%s). Unlocking before each "+
			"early return releases it on every path and leaves the rest of the critical section as it was; %d line(s) are added, inside %s.",
			lp.fd.Name.Name, lp.mu, skipped(p, lp), lp.mu, evidence, len(lp.returns), lp.fd.Name.Name)
	}
	f := ed.fix(name, g.site, why, g.span(), p.span(lp.rel, lp.fd))
	if f != nil {
		f.test = twiceTest(pr, p, lp.fd, true, "the call after an early return blocked on "+lp.mu)
	}
	return f
}

// lockWait names the lock the site's goroutine waits for, from the
// dump's lock facts when it has them.
func lockWait(pr *problem, g goSite) string {
	if gr := pr.req.Graph; gr != nil {
		if i, ok := gr.Lookup(g.Node); ok {
			for _, t := range gr.Children(i, epg.EdgeOn) {
				for _, l := range gr.Children(t, epg.EdgeWaits) {
					if n := gr.Node(l); n.Kind == epg.KindLock {
						return "Lock of " + n.Name
					}
				}
			}
		}
	}
	if w := pr.waitReason(g.Node); w != "" {
		return w
	}
	return "Lock"
}

func skipped(p *goPkg, lp *lockedPath) string {
	if lp.unlock == nil {
		return "never unlocks it"
	}
	var lines []string
	for _, r := range lp.returns {
		lines = append(lines, fmt.Sprintf("%s:%d", lp.rel, p.line(r.Pos())))
	}
	return "returns at " + strings.Join(lines, ", ") + " before its Unlock"
}

// deferable: the Lock is at the function's top level and the Unlock is
// followed by at most a return of plain values, so a deferred Unlock
// holds the lock no longer than before.
func deferable(lp *lockedPath) bool {
	if lp.block != lp.fd.Body {
		return false
	}
	if lp.unlock == nil {
		return true
	}
	rest := lp.block.List[indexOf(lp.block.List, lp.unlock)+1:]
	switch {
	case len(rest) == 0:
		return true
	case len(rest) > 1:
		return false
	}
	r, ok := rest[0].(*ast.ReturnStmt)
	if !ok {
		return false
	}
	calls := false
	ast.Inspect(r, func(n ast.Node) bool {
		_, c := n.(*ast.CallExpr)
		calls = calls || c
		return !calls
	})
	return !calls
}

func indexOf(l []ast.Stmt, s ast.Stmt) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}

// findLockedPath looks in first, then in every function of the package,
// for a Lock of mu that some return skips the Unlock of.
func findLockedPath(p *goPkg, first *ast.FuncDecl, mu types.Object) *lockedPath {
	fds := []*ast.FuncDecl{first}
	for _, rel := range sortedKeys(p.files) {
		for _, d := range p.files[rel].Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && fd != first {
				fds = append(fds, fd)
			}
		}
	}
	for _, fd := range fds {
		if lp := lockedPathIn(p, fd, mu); lp != nil {
			return lp
		}
	}
	return nil
}

func lockedPathIn(p *goPkg, fd *ast.FuncDecl, mu types.Object) *lockedPath {
	rel := p.fset.Position(fd.Pos()).Filename
	var out *lockedPath
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok || out != nil {
			return false
		}
		b, ok := n.(*ast.BlockStmt)
		if !ok {
			return true
		}
		for i, s := range b.List {
			x, m, ok := methodCall(s, "Lock", "RLock")
			if !ok || p.objOf(x) != mu || i+1 < len(b.List) && isDeferOf(b.List[i+1], x, unlockOf(m)) {
				continue
			}
			lp := &lockedPath{fd: fd, rel: rel, block: b, lock: s, mu: exprKey(x)}
			end := len(b.List)
			for j := i + 1; j < len(b.List); j++ {
				if ux, um, ok := methodCall(b.List[j], unlockOf(m)); ok && um == unlockOf(m) && p.objOf(ux) == mu {
					if _, d := b.List[j].(*ast.DeferStmt); !d {
						lp.unlock, end = b.List[j], j
						break
					}
				}
			}
			if lp.unlock == nil && (b != fd.Body || len(b.List) == 1 || unlocksAnywhere(p, fd, mu)) {
				continue // unlocked in some other shape, or a helper whose job is to lock
			}
			lp.returns = earlyReturns(p, b.List[i+1:end], mu)
			if len(lp.returns) > 0 || lp.unlock == nil {
				out = lp
				return false
			}
		}
		return true
	})
	return out
}

// unlocksAnywhere reports whether fd unlocks mu in any statement.
func unlocksAnywhere(p *goPkg, fd *ast.FuncDecl, mu types.Object) bool {
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if s, ok := n.(ast.Stmt); ok {
			if x, _, ok := methodCall(s, "Unlock", "RUnlock"); ok && p.objOf(x) == mu {
				found = true
			}
		}
		return !found
	})
	return found
}

// earlyReturns are the returns among stmts (closures aside) not preceded
// in their own block by an Unlock of mu.
func earlyReturns(p *goPkg, stmts []ast.Stmt, mu types.Object) []*ast.ReturnStmt {
	var out []*ast.ReturnStmt
	var walk func(list []ast.Stmt, unlocked bool)
	walk = func(list []ast.Stmt, unlocked bool) {
		for _, s := range list {
			if x, _, ok := methodCall(s, "Unlock", "RUnlock"); ok && p.objOf(x) == mu {
				unlocked = true
			}
			if r, ok := s.(*ast.ReturnStmt); ok && !unlocked {
				out = append(out, r)
			}
			ast.Inspect(s, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					return false
				case *ast.BlockStmt:
					walk(n.List, unlocked)
					return false
				case *ast.CaseClause:
					walk(n.Body, unlocked)
					return false
				case *ast.CommClause:
					walk(n.Body, unlocked)
					return false
				}
				return true
			})
		}
	}
	walk(stmts, false)
	sort.Slice(out, func(i, j int) bool { return out[i].Pos() < out[j].Pos() })
	return out
}
