package llm

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/critpath"
	"github.com/tagdebug/tag/internal/analysis/lockgraph"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/queryenv"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
	"github.com/tagdebug/tag/query"
)

// Bounds of the evidence gathered before the budget condenses it.
const (
	excerptContext = 12 // lines either side of a candidate line
	maxExcerpts    = 6
	maxQueryNodes  = 40
)

// evidence gathers the prompt's sections, most important first.
func evidence(req *repair.Request, r *repo) []section {
	secs := []section{
		{id: "project", title: "Project", items: []string{r.project()}, unit: "lines", share: 3},
		failureSection(req),
		candidateSection(req.Report),
		codeSection(req.Report, r),
		critPathSection(req.Graph),
		lockHeapSection(req.Graph),
	}
	secs = append(secs, querySections(req.Graph)...)
	secs = append(secs, chainSection(req.Report), inputSection(req.Inputs), feedbackSection(req.Feedback))
	return secs
}

func failureSection(req *repair.Request) section {
	s := section{id: "failure", title: "Failure", unit: "lines", share: 7}
	add := func(k, v string) {
		if v != "" {
			s.items = append(s.items, k+": "+v)
		}
	}
	if rep := req.Report; rep != nil {
		add("incident", rep.Incident)
		add("kind", rep.Kind)
		add("title", rep.Title)
		add("critical failure", rep.CriticalFailure)
		add("root cause (TAG's analysis)", rep.RootCause.Summary)
		add("impact", rep.Impact)
	}
	if g := req.Graph; g != nil {
		if sp := failingSpan(g); sp != nil {
			ep := sp.Attrs.Str(epg.AttrHTTPRoute)
			if ep == "" {
				ep = sp.Name
			}
			add("endpoint", strings.TrimSpace(sp.Service+" "+ep))
			add("trace id", sp.Trace.TraceID)
		}
		if ev := failingEvent(g); ev != nil {
			add("error", inspect.Summary(ev))
			if sp := failingSpan(g); sp == nil || sp.Trace.TraceID == "" {
				add("trace id", ev.Trace.TraceID)
			}
		}
	}
	return s
}

// failingSpan is the graph's first span with an error status.
func failingSpan(g *epg.Graph) *epg.Node {
	var out *epg.Node
	g.Nodes(epg.KindSpan, func(_ int32, n *epg.Node) bool {
		if n.Attrs.Str(epg.AttrStatusCode) == "error" {
			out = n
			return false
		}
		return true
	})
	return out
}

// failingEvent is the graph's first panic or exception event, else its
// first event of any failure type.
func failingEvent(g *epg.Graph) *epg.Node {
	var first, fallback *epg.Node
	g.Nodes(epg.KindEvent, func(_ int32, n *epg.Node) bool {
		switch n.EventType() {
		case epg.EventPanic, epg.EventException:
			first = n
			return false
		case epg.EventLog, "":
		default:
			if fallback == nil {
				fallback = n
			}
		}
		return true
	})
	if first != nil {
		return first
	}
	return fallback
}

func candidateSection(rep *rca.Report) section {
	s := section{id: "candidates", title: "Ranked root-cause candidates (best first)", unit: "candidates", share: 8}
	if rep == nil {
		return s
	}
	for i, c := range rep.Candidates {
		s.items = append(s.items, fmt.Sprintf("%d. %s at %s:%d (score %.2f): %s", i+1, c.Function, c.File, c.Line, c.Score, c.Why))
	}
	s.omitted = rep.OmittedCandidates
	return s
}

// codeSection quotes the code around the candidates' lines, merging
// windows in the same file.
func codeSection(rep *rca.Report, r *repo) section {
	s := section{id: "code", title: "Code around the candidates (line numbers are not part of the file)", unit: "excerpts", share: 35}
	if rep == nil {
		return s
	}
	type window struct {
		file     string
		from, to int
	}
	var wins []window
	for _, c := range rep.Candidates {
		if c.File == "" || c.Line <= 0 {
			continue
		}
		rel, ok := r.locate(c.File)
		if !ok {
			continue
		}
		w := window{rel, c.Line - excerptContext, c.Line + excerptContext}
		merged := false
		for i := range wins {
			if wins[i].file == w.file && w.from <= wins[i].to+1 && w.to >= wins[i].from-1 {
				wins[i].from, wins[i].to = min(wins[i].from, w.from), max(wins[i].to, w.to)
				merged = true
				break
			}
		}
		if !merged {
			wins = append(wins, w)
		}
	}
	for i, w := range wins {
		if i == maxExcerpts {
			s.omitted = len(wins) - i
			break
		}
		_, content, err := r.read(w.file)
		if err != nil {
			continue
		}
		text, from, to := numbered(content, w.from, w.to)
		s.items = append(s.items, fmt.Sprintf("--- %s lines %d-%d\n%s", w.file, from, to, text))
	}
	return s
}

func critPathSection(g *epg.Graph) section {
	s := section{id: "critical-path", title: "Critical path (spans, most critical time first)", unit: "spans", share: 8}
	if g == nil {
		return s
	}
	roots := critpath.Roots(g)
	if len(roots) == 0 {
		return s
	}
	p, err := critpath.Compute(g, roots[0], critpath.Options{})
	if err != nil {
		return s
	}
	s.items = append(s.items, fmt.Sprintf("trace %s: %s total, %d of %d spans critical", p.TraceID, time.Duration(p.DurationNs), p.Critical, p.Spans))
	for _, st := range p.SpanTimes {
		s.items = append(s.items, fmt.Sprintf("%s %q: %s on the path (self %s, total %s)", st.Service, st.Name,
			time.Duration(st.CriticalNs), time.Duration(st.SelfNs), time.Duration(st.DurationNs)))
	}
	s.omitted = p.OmittedSpans
	return s
}

func lockHeapSection(g *epg.Graph) section {
	s := section{id: "locks-heap", title: "Lock and heap facts", unit: "facts", share: 7}
	if g == nil {
		return s
	}
	lr := lockgraph.Analyze(g, lockgraph.Options{})
	for _, c := range lr.Cycles {
		s.items = append(s.items, "deadlock cycle: "+c.Summary)
		for _, st := range c.Steps {
			s.items = append(s.items, fmt.Sprintf("  %s waits for %s at %s, held by %s at %s",
				orID(st.ThreadName, st.Thread), orID(st.LockName, st.Lock), site(st.WaitSite), st.Holder, site(st.HoldSite)))
		}
	}
	for _, h := range lr.Hotspots {
		s.items = append(s.items, fmt.Sprintf("contended lock %s at %s: %d waits, %s waiting, %d waiters",
			orID(h.Name, h.Lock), site(h.Site), h.Waits, time.Duration(h.WaitNs), h.Waiters))
	}
	s.omitted = lr.OmittedCycles + lr.OmittedHotspots
	var objs []*epg.Node
	g.Nodes(epg.KindObject, func(_ int32, n *epg.Node) bool {
		objs = append(objs, n)
		return true
	})
	sort.SliceStable(objs, func(i, j int) bool { return objSize(objs[i]) > objSize(objs[j]) })
	for _, o := range objs {
		line := fmt.Sprintf("object %s (%d bytes)", o.Name, objSize(o))
		if site := o.Attrs.Str("object.alloc_site"); site != "" {
			line += " allocated at " + site
		}
		s.items = append(s.items, line)
	}
	return s
}

func objSize(n *epg.Node) int64 {
	v, _ := n.Attr("object.size")
	return v.IntVal()
}

func site(s *lockgraph.Site) string {
	if s == nil {
		return "an unknown site"
	}
	return fmt.Sprintf("%s (%s:%d)", s.Function, s.File, s.Line)
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// defaultQueries are slice-language queries whose results go in the
// prompt, with the condition under which each is worth running.
var defaultQueries = []struct {
	q    string
	kind epg.NodeKind
}{
	{"slice.backward(from=event()).limit(40)", epg.KindEvent},
	{"nodes(frame && in_app, kind='frame').limit(30)", epg.KindFrame},
	{"lock_cycles()", epg.KindLock},
}

func querySections(g *epg.Graph) []section {
	if g == nil {
		return nil
	}
	env := queryenv.New(nil)
	var out []section
	for _, dq := range defaultQueries {
		has := false
		g.Nodes(dq.kind, func(int32, *epg.Node) bool { has = true; return false })
		if !has {
			continue
		}
		res, err := query.Run(g, dq.q, env)
		s := section{id: "query", title: "query_epg " + dq.q, unit: "nodes", share: 6}
		if err != nil {
			s.items = []string{"error: " + err.Error()}
		} else {
			s.items, s.omitted = resultLines(res, maxQueryNodes)
		}
		out = append(out, s)
	}
	return out
}

// resultLines renders a query result one node a line, at most max lines,
// and counts the rest with what the query itself cut.
func resultLines(res *query.Result, max int) ([]string, int) {
	var lines []string
	for i, n := range res.Nodes {
		if i == max {
			break
		}
		sum := n.Summary
		if sum == "" {
			sum = n.Name
		}
		line := fmt.Sprintf("%-7s %s", n.Kind, sum)
		if n.Location != nil && n.Location.File != "" {
			line += fmt.Sprintf("  %s:%d", n.Location.File, n.Location.Line)
		}
		if n.Role != "" {
			line += " [" + n.Role + "]"
		}
		lines = append(lines, line)
	}
	c := res.Cut
	return lines, len(res.Nodes) - len(lines) + c.Depth + c.Limit + c.Filtered + c.Where + c.Project
}

func chainSection(rep *rca.Report) section {
	s := section{id: "evidence-chain", title: "Evidence chain", unit: "evidence items", share: 6}
	if rep == nil {
		return s
	}
	for _, e := range rep.Evidence {
		s.items = append(s.items, fmt.Sprintf("%s %s: %s", e.Kind, e.Node, e.Summary))
	}
	s.omitted = rep.OmittedEvidence
	return s
}

func inputSection(in map[string]string) section {
	s := section{id: "inputs", title: "Captured inputs of the failing request", unit: "inputs", share: 6}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.items = append(s.items, k+":\n"+in[k])
	}
	return s
}

func feedbackSection(fb []repair.Feedback) section {
	s := section{id: "verifier-feedback", title: "Verifier findings on earlier candidates (oldest first)", unit: "findings", share: 8}
	for i, f := range fb {
		s.items = append(s.items, fmt.Sprintf("candidate %d failed check %q:\n%s\npatch:\n%s", i+1, f.Check, f.Detail, f.Patch))
	}
	return s
}
