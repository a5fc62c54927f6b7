package template

import (
	"encoding/json"
	"fmt"
	"go/format"
	"go/types"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// goTest renders a regression test file in the package (white-box, as
// the repository's own tests are) and names it by the function.
func goTest(p *goPkg, fn, doc, body string, imports ...string) *regressionTest {
	name := "TestTagRegression" + strings.ToUpper(fn[:1]) + fn[1:]
	sort.Strings(imports)
	var sb strings.Builder
	fmt.Fprintf(&sb, "package %s\n\nimport (\n", p.pkg.Name())
	for _, im := range imports {
		fmt.Fprintf(&sb, "\t%q\n", im)
	}
	fmt.Fprintf(&sb, ")\n\n// %s is TAG's regression test for the incident (template\n// proposer): %s\nfunc %s(t *testing.T) {\n%s\n}\n", name, doc, name, body)
	src, err := format.Source([]byte(sb.String()))
	if err != nil {
		return nil
	}
	file := path.Join(p.dir, "tag_regression_"+strings.ToLower(fn)+"_test.go")
	return &regressionTest{File: file, Content: string(src), Name: name}
}

// inputObjects are the captured inputs that are JSON objects (request
// bodies), in key order.
func (pr *problem) inputObjects() []map[string]any {
	var out []map[string]any
	for _, k := range sortedKeys(pr.req.Inputs) {
		var m map[string]any
		if json.Unmarshal([]byte(pr.req.Inputs[k]), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// inputScalar finds a captured value for a parameter name: an input of
// that name, or a field of that name (case-insensitive) in a JSON input.
func (pr *problem) inputScalar(name string) (any, bool) {
	if v, ok := pr.req.Inputs[name]; ok {
		var x any
		if json.Unmarshal([]byte(v), &x) == nil {
			return x, true
		}
		return v, true
	}
	for _, m := range pr.inputObjects() {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
	}
	return nil, false
}

// goValue writes a Go expression of type t for a parameter, from the
// captured inputs when they have it, else the zero value; ok is false
// for types the opaque type check cannot name.
func (pr *problem) goValue(p *goPkg, name string, t types.Type) (string, bool) {
	ts := types.TypeString(t, p.qualifier)
	if strings.Contains(ts, "invalid type") {
		return "", false
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if v, ok := pr.inputScalar(name); ok {
			if lit, ok := basicLit(u, v); ok {
				return lit, true
			}
		}
		return zeroLit(u, ts), true
	case *types.Struct:
		return pr.structLit(p, ts, u), true
	case *types.Pointer, *types.Slice, *types.Map, *types.Signature, *types.Interface, *types.Chan:
		return "nil", true
	}
	return "*new(" + ts + ")", true
}

// structLit fills a struct's basic fields from the JSON inputs by their
// json tags or names.
func (pr *problem) structLit(p *goPkg, ts string, st *types.Struct) string {
	var fields []string
	for _, m := range pr.inputObjects() {
		for i := range st.NumFields() {
			f := st.Field(i)
			b, ok := f.Type().Underlying().(*types.Basic)
			if !ok {
				continue
			}
			key := strings.Split(reflect.StructTag(st.Tag(i)).Get("json"), ",")[0]
			if key == "" {
				key = f.Name()
			}
			for k, v := range m {
				if strings.EqualFold(k, key) {
					if lit, ok := basicLit(b, v); ok {
						fields = append(fields, f.Name()+": "+lit)
					}
				}
			}
		}
		if len(fields) > 0 {
			break
		}
	}
	return ts + "{" + strings.Join(fields, ", ") + "}"
}

func basicLit(b *types.Basic, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if b.Info()&types.IsString != 0 {
			return strconv.Quote(x), true
		}
	case float64:
		switch {
		case b.Info()&types.IsInteger != 0 && x == float64(int64(x)):
			return strconv.FormatInt(int64(x), 10), true
		case b.Info()&types.IsFloat != 0:
			return strconv.FormatFloat(x, 'g', -1, 64), true
		}
	case bool:
		if b.Info()&types.IsBoolean != 0 {
			return strconv.FormatBool(x), true
		}
	}
	return "", false
}

func zeroLit(b *types.Basic, ts string) string {
	switch {
	case b.Info()&types.IsString != 0:
		return `""`
	case b.Info()&types.IsBoolean != 0:
		return "false"
	case b.Info()&types.IsNumeric != 0:
		return "0"
	}
	return "*new(" + ts + ")"
}

// nilGuardTest calls the function with the nil pointer and with a
// pointer to the zero value: the results must agree, and nothing panics.
func nilGuardTest(pr *problem, g goSite, ptr *types.Var) *regressionTest {
	p := g.p
	fobj, _ := p.info.Defs[g.fd.Name].(*types.Func)
	if fobj == nil {
		return nil
	}
	sig := fobj.Type().(*types.Signature)
	elem := ptrTypeName(p, ptr)
	var nilArgs, zeroArgs []string
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		if v == ptr {
			nilArgs, zeroArgs = append(nilArgs, "nil"), append(zeroArgs, "&"+elem+"{}")
			continue
		}
		s, ok := pr.goValue(p, v.Name(), v.Type())
		if !ok {
			return nil
		}
		nilArgs, zeroArgs = append(nilArgs, s), append(zeroArgs, s)
	}
	fn := fobj.Name()
	callNil, callZero := fn, fn
	if r := sig.Recv(); r != nil {
		rt := types.TypeString(r.Type(), p.qualifier)
		switch {
		case r == ptr:
			callNil, callZero = "(("+rt+")(nil))."+fn, "(&"+elem+"{})."+fn
		case strings.HasPrefix(rt, "*"):
			callNil, callZero = "(&"+rt[1:]+"{})."+fn, "(&"+rt[1:]+"{})."+fn
		default:
			callNil, callZero = "("+rt+"{})."+fn, "("+rt+"{})."+fn
		}
	} else if sig.Params().Len() == 0 || !containsVar(sig, ptr) {
		return nil
	}
	callNil += "(" + strings.Join(nilArgs, ", ") + ")"
	callZero += "(" + strings.Join(zeroArgs, ", ") + ")"
	doc := fmt.Sprintf("%s with a nil %s (the incident's\n// panic) must behave as with a pointer to a zero %s.", fn, ptr.Name(), elem)
	var body string
	switch res := sig.Results(); {
	case res.Len() == 1 && types.Comparable(res.At(0).Type()):
		body = fmt.Sprintf("got := %s\nwant := %s\nif got != want {\nt.Fatalf(\"%s with a nil %s = %%v, want %%v (as with a zero %s)\", got, want)\n}",
			callNil, callZero, fn, ptr.Name(), elem)
	case res.Len() == 1:
		return goTest(p, fn, doc, fmt.Sprintf("got := %s\nwant := %s\nif !reflect.DeepEqual(got, want) {\nt.Fatalf(\"%s with a nil %s = %%v, want %%v\", got, want)\n}",
			callNil, callZero, fn, ptr.Name()), "reflect", "testing")
	default:
		body = callNil
	}
	return goTest(p, fn, doc, body, "testing")
}

func containsVar(sig *types.Signature, v *types.Var) bool {
	for i := range sig.Params().Len() {
		if sig.Params().At(i) == v {
			return true
		}
	}
	return false
}
