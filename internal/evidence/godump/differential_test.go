package godump

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maruel/panicparse/v2/stack"
	"github.com/tagdebug/tag/internal/evidence"
)

// ppGoroutine is one goroutine (or race access) in a form both parsers'
// output reduces to.
type ppGoroutine struct {
	id, state string
	frames    []string // "function file:line"
	created   string
}

func (g ppGoroutine) String() string {
	return fmt.Sprintf("goroutine %s [%s] created by %q\n\t%s", g.id, g.state, g.created, strings.Join(g.frames, "\n\t"))
}

// panicparseGoroutines runs stack.ScanSnapshot over data until the end,
// restarting after each snapshot (a goroutine dump can be interrupted by
// register dumps). A race report's closing separator ends a scan and
// loses what ScanSnapshot had buffered after it, so each report is given
// to it on its own.
func panicparseGoroutines(t *testing.T, data []byte) (out []ppGoroutine, race bool) {
	sep := []byte("==================\nWARNING: DATA RACE\n")
	if bytes.Count(data, sep) < 2 {
		return panicparseScan(t, data)
	}
	for len(data) > 0 {
		next := bytes.Index(data[1:], sep) + 1
		if next == 0 {
			next = len(data)
		}
		gs, r := panicparseScan(t, data[:next])
		out, race, data = append(out, gs...), race || r, data[next:]
	}
	return out, race
}

func panicparseScan(t *testing.T, data []byte) (out []ppGoroutine, race bool) {
	var r io.Reader = bytes.NewReader(data)
	for range 10000 {
		snap, suffix, err := stack.ScanSnapshot(r, io.Discard, &stack.Opts{})
		if snap != nil {
			race = race || snap.IsRace()
			for _, g := range snap.Goroutines {
				pg := ppGoroutine{id: fmt.Sprint(g.ID), state: g.State}
				for _, c := range g.Stack.Calls {
					pg.frames = append(pg.frames, fmt.Sprintf("%s %s:%d", c.Func.Complete, c.RemoteSrcPath, c.Line))
				}
				if cs := g.CreatedBy.Calls; len(cs) > 0 {
					fn, _, _ := strings.Cut(cs[0].Func.Complete, " in goroutine ")
					pg.created = fmt.Sprintf("%s %s:%d", fn, cs[0].RemoteSrcPath, cs[0].Line)
				}
				out = append(out, pg)
			}
		}
		if len(suffix) == 0 && (err == io.EOF || snap == nil) {
			return out, race
		}
		if err != nil && err != io.EOF {
			t.Logf("panicparse: %v", err)
		}
		r = io.MultiReader(bytes.NewReader(suffix), r)
	}
	return out, race
}

func frameStrings(fs []frame) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s:%d", f.Function, f.File, f.Line))
	}
	return out
}

// ourGoroutines reduces our parse the same way.
func ourGoroutines(t *testing.T, path string, data []byte, race bool) []ppGoroutine {
	in := &evidence.Input{Name: path, Data: data}
	p := &parser{in: in, s: lineScanner{text: string(data)}}
	var out []ppGoroutine
	if race {
		rf, err := p.races()
		if err != nil {
			t.Fatal(err)
		}
		// panicparse keeps each access as a goroutine with the creation
		// stack of its goroutine.
		for _, r := range rf.reports {
			for _, a := range r.accesses {
				g := ppGoroutine{id: a.gid, frames: frameStrings(a.frames)}
				if c := rf.byGID[a.gid].created; len(c) > 0 {
					g.created = frameStrings(c)[0]
				}
				out = append(out, g)
			}
		}
		return out
	}
	d, err := parseDump(in, string(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range d.goroutines {
		st := g.reason
		if g.leaked {
			st += " (leaked)"
		}
		pg := ppGoroutine{id: g.id, state: st, frames: frameStrings(g.frames)}
		if len(g.created) > 0 {
			pg.created = frameStrings(g.created)[0]
		}
		out = append(out, pg)
	}
	return out
}

// TestDifferentialPanicparse checks every fixture against
// github.com/maruel/panicparse/v2's parser: the same goroutine IDs,
// states, function names and file:line for every frame.
func TestDifferentialPanicparse(t *testing.T) {
	paths := txtInputs(t, "testdata")
	if conf, err := filepath.Glob(conformanceGlob); err == nil {
		paths = append(paths, conf...)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			theirs, race := panicparseGoroutines(t, data)
			if bytes.Contains(data, []byte("found unexpected goroutines:")) {
				// panicparse does not read goleak's layout.
				if len(theirs) != 0 {
					t.Errorf("panicparse found %d goroutines in a goleak report", len(theirs))
				}
				return
			}
			ours := ourGoroutines(t, path, data, race)
			if race {
				for i := range theirs {
					theirs[i].state = "" // panicparse does not keep it for races
				}
			}
			if len(ours) != len(theirs) {
				t.Fatalf("%d goroutines, panicparse %d", len(ours), len(theirs))
			}
			for i := range ours {
				if ours[i].String() != theirs[i].String() {
					t.Errorf("goroutine %d differs:\nours:\n%s\npanicparse:\n%s", i, ours[i], theirs[i])
				}
			}
		})
	}
}
