package template

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
)

// twiceTest calls a function twice on one receiver with the captured
// inputs (zero values where none were captured): the incidents of
// close-once and unlock-on-return happen on the second call, which
// panics or blocks. With hang, the calls run under a time limit so a
// blocked call fails the test instead of stalling the run.
func twiceTest(pr *problem, p *goPkg, fd *ast.FuncDecl, hang bool, incident string) *regressionTest {
	fobj, _ := p.info.Defs[fd.Name].(*types.Func)
	if fobj == nil {
		return nil
	}
	sig := fobj.Type().(*types.Signature)
	var args []string
	imports := []string{"testing"}
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		if paramType(fd, v.Name()) == "context.Context" {
			args, imports = append(args, "context.Background()"), append(imports, "context")
			continue
		}
		s, ok := pr.goValue(p, v.Name(), v.Type())
		if !ok {
			return nil
		}
		args = append(args, s)
	}
	call := fmt.Sprintf("%s(%s)", fd.Name.Name, strings.Join(args, ", "))
	setup := ""
	if fd.Recv != nil {
		recv, more, ok := pr.receiver(p, fd)
		if !ok {
			return nil
		}
		setup, call = "r := "+recv+"\n", "r."+call
		imports = append(imports, more...)
	}
	fn := fd.Name.Name
	body := fmt.Sprintf("%s%s\n%s", setup, call, call)
	if hang {
		body = fmt.Sprintf(`%sdone := make(chan struct{})
go func() {
	defer close(done)
	%s
	%s
}()
select {
case <-done:
case <-time.After(2 * time.Second):
	t.Fatal("a second %s call blocked")
}`, setup, call, call, fn)
		imports = append(imports, "time")
	}
	doc := fmt.Sprintf("calling %s twice must work (in the\n// incident %s).", fn, incident)
	return goTest(p, fn, doc, body, dedupe(imports)...)
}
