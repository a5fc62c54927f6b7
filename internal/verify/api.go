package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// api compares the exported API of every changed non-main Go package
// before and after the fix with apidiff; any incompatible change fails.
// Packages are type-checked in this process (go list compiles, nothing of
// the repository runs).
func (v *run) api(ctx context.Context) (string, string) {
	var fixFiles []string
	for _, f := range v.patch {
		if path.Ext(fileName(f)) == ".go" && !strings.HasSuffix(fileName(f), "_test.go") {
			fixFiles = append(fixFiles, fileName(f))
		}
	}
	mods := goModules(v.after, fixFiles)
	if len(mods) == 0 {
		return StatusSkip, "no Go package changed"
	}
	if err := v.ensureBefore(); err != nil {
		return StatusError, err.Error()
	}
	var incompatible, checked []string
	for _, m := range mods {
		for _, pkg := range m.pkgs {
			msgs, err := v.apiChanges(ctx, m, pkg)
			if err != nil {
				return StatusError, pkg + ": " + err.Error()
			}
			if msgs != nil {
				checked = append(checked, pkg)
			}
			incompatible = append(incompatible, msgs...)
		}
	}
	if len(incompatible) > 0 {
		return StatusFail, "incompatible API changes:\n" + clip(strings.Join(incompatible, "\n"), detailLines)
	}
	if len(checked) == 0 {
		return StatusSkip, "only main packages changed: no importable API"
	}
	return StatusPass, "exported API unchanged or extended in " + joinList(checked)
}

// apiChanges returns the incompatible changes of one package ("pkg: msg"),
// an empty non-nil slice when there are none, and nil for a main package.
func (v *run) apiChanges(ctx context.Context, m goModule, pkg string) ([]string, error) {
	after, err := v.loadTypes(ctx, m.root, pkg)
	if err != nil {
		return nil, err
	}
	if after.Name == "main" {
		return nil, nil
	}
	before, err := v.loadTypes(ctx, v.inTree(v.before, m.root), pkg)
	if errors.Is(err, errNoPackage) {
		return []string{}, nil // a new package only adds API
	}
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, c := range apidiff.Changes(before.Types, after.Types).Changes {
		if !c.Compatible {
			out = append(out, pkg+": "+c.Message)
		}
	}
	return out, nil
}

var errNoPackage = errors.New("no such package")

func (v *run) loadTypes(ctx context.Context, dir, pkg string) (*packages.Package, error) {
	ctx, cancel := v.stepContext(ctx)
	defer cancel()
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedTypes,
		Dir:     dir,
		// Types come from export data; -trimpath shares it across trees.
		BuildFlags: []string{"-trimpath"},
		Env:        append(os.Environ(), goEnv(false)...),
	}
	pkgs, err := packages.Load(cfg, pkg)
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 || pkgs[0].Types == nil {
		return nil, errNoPackage
	}
	p := pkgs[0]
	if len(p.Errors) > 0 {
		if strings.Contains(p.Errors[0].Msg, "no Go files") || strings.Contains(p.Errors[0].Msg, "cannot find") {
			return nil, errNoPackage
		}
		return nil, fmt.Errorf("type-check: %v", p.Errors[0])
	}
	return p, nil
}
