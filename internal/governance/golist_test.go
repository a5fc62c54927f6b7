package governance

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// pkg is the part of `go list -json` output the rules read.
type pkg struct {
	ImportPath string
	Dir        string
	Name       string
	Doc        string
	Imports    []string // direct, non-test
	Deps       []string // transitive, non-test: what `go list -deps` prints
	GoFiles    []string
	DepOnly    bool // listed only as a dependency of a matched package
	Error      *struct{ Err string }
}

var (
	listOnce sync.Once
	listPkgs []pkg               // the module's packages
	listAll  map[string][]string // direct imports of every package in the build
	listMod  string
	listErr  error
)

// goList runs `go list -e -deps -json ./...` from the module root once per
// test binary and returns the module path and the module's own packages.
// It skips the test when the go command is not on PATH.
func goList(t *testing.T) (module string, pkgs []pkg) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	listOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			listErr = err
			return
		}
		mod := exec.Command("go", "list", "-m")
		mod.Dir = root
		out, err := mod.Output()
		if err != nil {
			listErr = commandError("go list -m", err)
			return
		}
		listMod = strings.TrimSpace(string(out))
		cmd := exec.Command("go", "list", "-e", "-deps", "-json", "./...")
		cmd.Dir = root
		out, err = cmd.Output()
		if err != nil {
			listErr = commandError("go list -deps -json ./...", err)
			return
		}
		listAll = map[string][]string{}
		dec := json.NewDecoder(bytes.NewReader(out))
		for {
			var p pkg
			if err := dec.Decode(&p); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				listErr = err
				return
			}
			listAll[p.ImportPath] = p.Imports
			if !p.DepOnly {
				listPkgs = append(listPkgs, p)
			}
		}
	})
	if listErr != nil {
		t.Fatal(listErr)
	}
	if len(listPkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return listMod, listPkgs
}

func commandError(what string, err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return errors.New(what + ": " + err.Error() + ": " + string(ee.Stderr))
	}
	return errors.New(what + ": " + err.Error())
}

// directImports maps every package in the build, the standard library and
// other modules included, to its direct imports.
func directImports(t *testing.T) map[string][]string {
	goList(t)
	return listAll
}

// moduleRoot finds the directory of the main module's go.mod above the
// working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// within reports whether import path p is root or a package below it.
func within(p, root string) bool {
	return p == root || strings.HasPrefix(p, root+"/")
}
