package template

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/repair"
)

// Proposer is the template proposer. The zero value is ready to use.
type Proposer struct{}

// Name is "template", as `tag fix --model template` spells it.
func (Proposer) Name() string { return "template" }

// site is one implicated code location, mapped onto the repository.
type site struct {
	File     string // repository-relative
	Line     int
	Function string
	Node     string
	Why      string
	Lang     string
}

// problem is one Propose call's shared state.
type problem struct {
	req   *repair.Request
	repo  *repo
	kind  string
	sites []site
	text  string // the report's and evidence's words, for matching messages
	gofs  map[string]*goPkg
}

// fix is a template's result before it becomes a repair.Candidate.
type fix struct {
	template string
	site     site
	why      string
	files    map[string][2]string // rel → {old, new}
	test     *regressionTest
	// slice are the functions whose lines count as inside the slice.
	slice []funcSpan
}

// funcSpan is a function's line range in the original file.
type funcSpan struct {
	File       string
	Start, End int
}

// regressionTest is a new test file and how to run it.
type regressionTest struct {
	File, Content, Name string
}

// templates are tried in order for every kind; each checks the kind
// and the code itself.
var templates = []func(*problem) []*fix{
	nilGuard,
	copyBeforeSort,
	lockOrder,
	perKeyLock,
	pyDefaultEmpty,
	javaLockOrder,
	ctxTimeout,
	leakedSend,
	addBeforeGo,
	closeOnce,
	loopVarShadow,
	unlockEveryPath,
	pyCopyBeforeSort,
}

// Propose returns the fixes whose pattern matches the report's sites, best
// first. Candidates already rejected (the same patch in Feedback) are not
// proposed again.
func (p Proposer) Propose(ctx context.Context, req *repair.Request) ([]repair.Candidate, error) {
	if req == nil || req.Report == nil {
		return nil, errors.New("template: no report")
	}
	if req.Repo == "" {
		return nil, errors.New("template: no repository")
	}
	r, err := openRepo(req.Repo)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	pr := &problem{req: req, repo: r, kind: req.Report.Kind, gofs: map[string]*goPkg{}}
	pr.collect()
	rejected := map[string]bool{}
	for _, f := range req.Feedback {
		rejected[f.Patch] = true
	}
	var out []repair.Candidate
	seen := map[string]bool{}
	for _, t := range templates {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		for _, f := range t(pr) {
			c := f.candidate()
			if c.Patch == "" || rejected[c.Patch] || seen[c.Patch] {
				continue
			}
			seen[c.Patch] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// collect gathers the report's candidates and the slice's in-app frames
// as sites, in rank order, and the words of the report.
func (pr *problem) collect() {
	rep := pr.req.Report
	words := []string{rep.Title, rep.CriticalFailure, rep.RootCause.Summary}
	for _, e := range rep.Evidence {
		words = append(words, e.Summary)
	}
	seen := map[string]bool{}
	add := func(s site) {
		key := fmt.Sprintf("%s:%d:%s", s.File, s.Line, s.Function)
		if s.File == "" || seen[key] {
			return
		}
		seen[key] = true
		s.Lang = langOf(s.File)
		pr.sites = append(pr.sites, s)
	}
	for _, c := range rep.Candidates {
		words = append(words, c.Why)
		add(site{File: pr.repo.resolve(c.File), Line: c.Line, Function: c.Function, Node: c.Node, Why: c.Why})
	}
	if g := pr.req.Graph; g != nil {
		for _, id := range rep.Slice.Nodes {
			i, ok := g.Lookup(id)
			if !ok {
				continue
			}
			n := g.Node(i)
			if n.Kind == epg.KindEvent {
				words = append(words, n.Name)
			}
			if n.Loc == nil || !n.Loc.InApp || n.Loc.File == "" {
				continue
			}
			add(site{File: pr.repo.resolve(n.Loc.File), Line: n.Loc.Line, Function: n.Loc.Function, Node: id})
		}
	}
	pr.text = strings.Join(words, "\n")
}

func langOf(file string) string {
	switch path.Ext(file) {
	case ".go":
		return "go"
	case ".py":
		return "python"
	case ".java":
		return "java"
	}
	return ""
}

// kindIs reports whether the incident is one of kinds.
func (pr *problem) kindIs(kinds ...string) bool {
	for _, k := range kinds {
		if pr.kind == k {
			return true
		}
	}
	return false
}

// candidate renders a fix as diffs.
func (f *fix) candidate() repair.Candidate {
	var patch strings.Builder
	var files []string
	for _, rel := range sortedKeys(f.files) {
		d := unifiedDiff(rel, f.files[rel][0], f.files[rel][1])
		if d == "" {
			continue
		}
		patch.WriteString(d)
		files = append(files, rel)
	}
	c := repair.Candidate{Patch: patch.String(), Proposer: "template", Template: f.template,
		Trigger: f.site.Node, Why: f.why, Files: files}
	if f.test != nil {
		c.Test = unifiedDiff(f.test.File, "", f.test.Content)
		c.TestName = f.test.Name
	}
	return c
}

// sliceSpans are the line ranges of the functions the sites are in.
func (pr *problem) sliceSpans() []funcSpan {
	var out []funcSpan
	for _, g := range pr.goSites() {
		out = append(out, g.span())
	}
	for _, s := range pr.sites {
		switch s.Lang {
		case "python":
			if sp, ok := pr.pyFuncSpan(s); ok {
				out = append(out, sp)
			}
		case "java":
			if sp, ok := pr.javaMethodSpan(s); ok {
				out = append(out, sp)
			}
		}
	}
	return out
}

var _ repair.Proposer = Proposer{}
