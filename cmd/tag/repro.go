package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/epg"
	capdec "github.com/tagdebug/tag/internal/evidence/capsule"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repro"
	"github.com/tagdebug/tag/internal/store"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

func (a *app) reproCommand() *cobra.Command {
	var repo string
	var capsules []string
	var runs int
	cmd := &cobra.Command{
		Use:   "repro INCIDENT --repo DIR",
		Short: "Build and run a deterministic reproduction of an incident",
		Long: `Reproduce an incident from its evidence, in a throwaway copy of the repository
(never the working tree), with a wall-clock limit, a memory limit and no
outbound network where the OS allows.

The driver is chosen by the evidence:
  capsule  Go services using TAG's capture SDK: a test is generated in the
           package that registered the handler factory; it serves the recorded
           request(s) with the recorded clock, seeds and outbound answers, and is
           run repeatedly (under -race, across CPU counts) for concurrency kinds.
  process  any language: a process capsule (tag record) given with --capsule is
           run with its command, environment, files, stdin and recorded network
           answers; files the repository has are taken from the repository.
rr is detected and reported; this machine class cannot record.

Exit 0 when the failure came back, 1 when it did not, 2 on bad input.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if repo == "" {
				return usageError{errors.New("--repo DIR is required")}
			}
			eng, err := a.redactor()
			if err != nil {
				return err
			}
			res, err := a.reproduce(cmd.Context(), args[0], repo, capsules, runs, eng.RedactText)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if err := a.printJSON(res); err != nil {
					return err
				}
			} else {
				printRepro(a, res)
			}
			if !res.Reproduced {
				return errSaidNo
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "the service's repository (copied, never modified)")
	cmd.Flags().StringArrayVar(&capsules, "capsule", nil, "a process capsule (tag record) or Go capsule file to replay (repeatable)")
	cmd.Flags().IntVar(&runs, "runs", 0, "how many times to run the reproduction (default by kind)")
	return cmd
}

// reproPlan is what an incident's reproduction needs: its report and its
// replayable evidence.
type reproPlan struct {
	view   *inspect.View
	report *rca.Report
	goCaps []*capsule.Capsule
	procs  []*repro.ProcessCapsule
	site   string
	scrub  repro.Scrubber
}

// plan loads an incident and finds its replayable evidence.
func (a *app) plan(ctx context.Context, id string, files []string, scrub repro.Scrubber) (*reproPlan, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	v, err := inspect.Load(ctx, st, id)
	if err != nil {
		return nil, err
	}
	p := &reproPlan{view: v, report: rca.Analyze(v), scrub: scrub}
	p.goCaps, p.procs, err = replayable(v, files)
	if err != nil {
		return nil, err
	}
	if len(p.goCaps) == 0 && len(p.procs) == 0 && len(files) == 0 {
		if p.goCaps, err = byHandler(ctx, st, v, p.report); err != nil {
			return nil, err
		}
	}
	if len(p.goCaps) == 0 && len(p.procs) == 0 {
		return nil, fmt.Errorf("incident %s has no replayable evidence: record the service with TAG's capture SDK (Go) or `tag record` (any process), and pass process capsules with --capsule", v.Incident.ID)
	}
	if len(p.report.Candidates) > 0 && len(p.goCaps) > 0 && p.goCaps[0].Panic != nil {
		p.site = p.report.Candidates[0].Function
	}
	return p, nil
}

// run reproduces the incident in a throwaway copy of the tree at repo.
func (p *reproPlan) run(ctx context.Context, repo string, runs int) (*repro.Result, error) {
	v := p.view
	if len(p.goCaps) > 0 {
		sb, err := repro.NewSandboxContext(ctx, repo)
		if err != nil {
			return nil, err
		}
		defer sb.Close()
		return repro.GoCapsule(ctx, sb, repro.CapsuleOptions{Incident: v.Incident.ID, Kind: v.Incident.Kind,
			Title: v.Incident.Title, Capsules: p.goCaps, Site: p.site, Runs: runs, Scrub: p.scrub})
	}
	pc := *p.procs[0]
	pc.Files = append([]repro.CapsuleFile(nil), pc.Files...)
	overlay(&pc, repo)
	return repro.Replay(ctx, &pc, repro.ReplayOptions{Incident: v.Incident.ID, Runs: max(runs, 1), Scrub: p.scrub})
}

// reproduce picks the driver for an incident and runs it in a sandbox.
func (a *app) reproduce(ctx context.Context, id, repo string, files []string, runs int, scrub repro.Scrubber) (*repro.Result, error) {
	p, err := a.plan(ctx, id, files, scrub)
	if err != nil {
		return nil, err
	}
	res, err := p.run(ctx, repo, runs)
	if err != nil {
		return nil, err
	}
	// rr would give a recording to step through; say plainly when it
	// cannot, and that the replay above stands in for it.
	if rr := repro.DetectRR(ctx); !rr.Available {
		res.Notes = append(res.Notes, "rr: cannot record here ("+rr.Reason+"); used the "+res.Driver+" driver instead")
	} else {
		res.Notes = append(res.Notes, "rr "+rr.Version+" can record here: `rr record` the reproduction to step through it")
	}
	return res, nil
}

// replayable collects the capsule files given, else the Go capsules in
// the incident's graph: the one that best matches the failure (its
// trace, its kind, its endpoint) first, then that capsule's peers.
func replayable(v *inspect.View, files []string) ([]*capsule.Capsule, []*repro.ProcessCapsule, error) {
	var goCaps []*capsule.Capsule
	var procs []*repro.ProcessCapsule
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, usageError{err}
		}
		if capsule.Sniff(data) {
			c, err := capsule.Decode(data)
			if err != nil {
				return nil, nil, usageError{fmt.Errorf("%s: %w", f, err)}
			}
			goCaps = append(goCaps, c)
			continue
		}
		pc, err := repro.ParseProcessCapsule(f, data)
		if err != nil {
			return nil, nil, usageError{err}
		}
		procs = append(procs, pc)
	}
	g := v.Graph
	if g == nil || len(goCaps) > 0 {
		return goCaps, procs, nil
	}
	type cand struct {
		node  int32
		c     *capsule.Capsule
		score int
	}
	var cands []cand
	var bad error
	trace := ""
	if v.Representative != nil {
		if i, ok := g.Lookup(v.Representative.Node); ok {
			trace = g.Node(i).Trace.TraceID
		}
	}
	kind := v.Incident.Kind
	g.Nodes(epg.KindInput, func(i int32, n *epg.Node) bool {
		if len(g.Parents(i, epg.EdgeFollowsFrom)) > 0 {
			return true // peers come with their capsule
		}
		c, ok, err := capdec.FromNode(n)
		if err != nil {
			bad = err
			return false
		}
		if !ok {
			return true
		}
		s := 0
		if trace != "" && c.TraceID == trace {
			s += 4
		}
		switch {
		case (kind == "panic" || kind == "exception") && c.Panic != nil,
			(kind == "deadlock" || kind == "blocked" || kind == "leak") && c.Promoted == capsule.PromotedHang,
			kind == "timeout" && (c.Promoted == capsule.PromotedLatency || c.Promoted == capsule.PromotedError || c.Promoted == capsule.PromotedHang),
			kind == "error" && c.Promoted == capsule.PromotedError:
			s += 2
		}
		if c.Route != "" && strings.Contains(v.Incident.Endpoint+" "+v.Incident.Title, strings.TrimSpace(strings.TrimPrefix(c.Route, c.Request.Method))) {
			s++
		}
		if s > 0 {
			cands = append(cands, cand{i, c, s})
		}
		return true
	})
	if bad != nil {
		return nil, nil, bad
	}
	if len(cands) == 0 {
		return nil, procs, nil
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if c.score > best.score {
			best = c
		}
	}
	goCaps = []*capsule.Capsule{best.c}
	for _, p := range g.Children(best.node, epg.EdgeFollowsFrom) {
		if c, ok, err := capdec.FromNode(g.Node(p)); ok && err == nil {
			goCaps = append(goCaps, c)
		}
	}
	return goCaps, procs, nil
}

// handlerCapsules is how many stored capsules of the implicated handler a
// reproduction replays together: enough distinct requests to run
// concurrently.
const handlerCapsules = 4

// recentCapsuleArtifacts bounds how far back byHandler looks.
const recentCapsuleArtifacts = 500

// byHandler finds stored capsules of the incident's service whose handler
// is among the incident's frames. Evidence without a trace — a race
// report, a goroutine dump — names functions, not requests; capsules name
// the function that serves their route, so the requests that ran through
// the racing code can be replayed together. The most recent come first.
func byHandler(ctx context.Context, st store.Store, v *inspect.View, rep *rca.Report) ([]*capsule.Capsule, error) {
	g := v.Graph
	if g == nil {
		return nil, nil
	}
	// Only the failure's own frames — its slice and candidates — count:
	// the incident's graph may also hold a dump of every goroutine, whose
	// handlers have nothing to do with it.
	funcs := map[string]bool{}
	for _, c := range rep.Candidates {
		if c.Function != "" {
			funcs[c.Function] = true
		}
	}
	for _, id := range rep.Slice.Nodes {
		if i, ok := g.Lookup(id); ok {
			if n := g.Node(i); n.Loc != nil && n.Loc.Function != "" {
				funcs[n.Loc.Function] = true
			}
		}
	}
	if len(funcs) == 0 {
		return nil, nil
	}
	out, err := storedCapsules(ctx, st, func(c *capsule.Capsule) bool {
		return c.Handler != "" && funcs[c.Handler] && (v.Incident.Service == "" || c.Service == v.Incident.Service)
	})
	if len(out) > handlerCapsules {
		out = out[:handlerCapsules]
	}
	return out, err
}

// storedCapsules returns the Go capsules among the most recent stored
// capsule artifacts that keep accepts, each once, the most recent first.
func storedCapsules(ctx context.Context, st store.Store, keep func(*capsule.Capsule) bool) ([]*capsule.Capsule, error) {
	arts, err := st.Artifacts(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, a := range slices.Backward(arts) {
		if a.Format == capdec.Format && len(ids) < recentCapsuleArtifacts {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	frags, err := st.Fragments(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []*capsule.Capsule
	seen := map[string]bool{}
	for _, f := range frags {
		for i := range f.Nodes {
			c, ok, err := capdec.FromNode(&f.Nodes[i])
			if err != nil || !ok || seen[c.ID] || !keep(c) {
				continue
			}
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *capsule.Capsule) int { return cmp.Compare(b.Start, a.Start) })
	return out, nil
}

// overlay replaces a process capsule's working files with the
// repository's copies, matched by path suffix, so a reproduction runs the
// code under test (the fixed version, once patched) rather than the
// recorded copy. Files the repository does not have, or has more than one
// candidate for, stay as recorded.
func overlay(pc *repro.ProcessCapsule, repo string) {
	for i, f := range pc.Files {
		var found []string
		filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == ".tag" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(filepath.ToSlash(p), "/"+f.Path) || filepath.ToSlash(p) == f.Path) {
				found = append(found, p)
			}
			return nil
		})
		if len(found) != 1 {
			continue
		}
		if data, err := os.ReadFile(found[0]); err == nil {
			pc.Files[i].Content, pc.Files[i].Encoding = string(data), ""
		}
	}
}

func printRepro(a *app, r *repro.Result) {
	w := a.stdout
	verdict := "NOT reproduced"
	if r.Reproduced {
		verdict = "reproduced"
	}
	fmt.Fprintf(w, "incident %s  driver %s  %s  (%d of %d runs, %.0f%%)\n", r.Incident, r.Driver, verdict, r.Failures, r.Runs, 100*r.Rate)
	if r.Signature != "" {
		fmt.Fprintf(w, "signature  %s\n", r.Signature)
	}
	if r.ReliableN > 0 {
		fmt.Fprintf(w, "runs for 99%% confidence  %d\n", r.ReliableN)
	}
	for _, d := range r.Drift {
		fmt.Fprintf(w, "drift      %s\n", d)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note       %s\n", n)
	}
	fmt.Fprintln(w, "\ntranscript")
	for _, s := range r.Transcript {
		fmt.Fprintf(w, "  $ %s   (exit %d, %.1fs)\n", s.Command, s.Exit, s.Seconds)
	}
	if r.Dump != "" {
		fmt.Fprintf(w, "\noutput of a failing run\n%s\n", indent(r.Dump, "  "))
	}
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 60 {
		lines = append(lines[:60], fmt.Sprintf("… %d more lines", len(lines)-60))
	}
	return pre + strings.Join(lines, "\n"+pre)
}
