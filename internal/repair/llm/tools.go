package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tagdebug/tag/internal/queryenv"
	"github.com/tagdebug/tag/query"
)

// Tool names.
const (
	toolQuery   = "query_epg"
	toolFetch   = "fetch_code"
	toolTests   = "run_tests"
	toolReplay  = "run_replay"
	toolPropose = "propose_patch"
)

// maxToolResult bounds one tool result, in bytes.
const maxToolResult = 24 << 10

var tools = []toolSpec{
	{
		Name: toolQuery,
		Description: "Run a query of TAG's slice language on the incident's Execution Path Graph, e.g. " +
			"slice.backward(from=event('panic')).limit(30), nodes(kind='frame').where(in_app), critical_path(), lock_cycles(). " +
			"Returns one node a line.",
		Properties: map[string]any{"query": map[string]any{"type": "string", "description": "the query"}},
		Required:   []string{"query"},
	},
	{
		Name:        toolFetch,
		Description: "Read a file of the repository with line numbers (the numbers are not part of the file). Paths are relative to the repository root.",
		Properties: map[string]any{
			"path":       map[string]any{"type": "string", "description": "repository-relative path"},
			"start_line": map[string]any{"type": "integer", "description": "first line, 1-based (optional)"},
			"end_line":   map[string]any{"type": "integer", "description": "last line, inclusive (optional)"},
		},
		Required: []string{"path"},
	},
	{
		Name:        toolTests,
		Description: "Run the repository's tests for one package in a throwaway copy, optionally with a unified diff applied first. Returns the test output.",
		Properties: map[string]any{
			"package": map[string]any{"type": "string", "description": "package directory relative to the root, e.g. ./cart"},
			"run":     map[string]any{"type": "string", "description": "test name pattern (optional)"},
			"patch":   map[string]any{"type": "string", "description": "unified diff to apply before running (optional)"},
		},
		Required: []string{"package"},
	},
	{
		Name:        toolReplay,
		Description: "Replay the failing request against the code, optionally with a unified diff applied first, and report whether it still fails.",
		Properties:  map[string]any{"patch": map[string]any{"type": "string", "description": "unified diff to apply first (optional)"}},
	},
	{
		Name:        toolPropose,
		Description: "Propose the final answer: the fix and the regression test as two unified diffs. Ends the task if both check out; otherwise the reason comes back.",
		Properties: map[string]any{
			"patch":     map[string]any{"type": "string", "description": "unified diff of the fix (git style, a/ b/ prefixes)"},
			"test":      map[string]any{"type": "string", "description": "unified diff adding the regression test"},
			"test_name": map[string]any{"type": "string", "description": "the test's name, for go test -run"},
			"why":       map[string]any{"type": "string", "description": "why the fix is right and minimal"},
		},
		Required: []string{"patch", "test"},
	},
}

// schema is the tool's JSON Schema object.
func (t toolSpec) schema() map[string]any {
	s := map[string]any{"type": "object", "properties": t.Properties}
	if len(t.Required) > 0 {
		s["required"] = t.Required
	}
	return s
}

// runTool runs one tool call other than propose_patch and returns its
// scrubbed, bounded output; a refused or failed call says so in the
// result, which goes back to the model.
func (s *session) runTool(ctx context.Context, c toolCall) toolResult {
	out, err := s.dispatch(ctx, c)
	res := toolResult{ID: c.ID, Name: c.Name, Content: out}
	if err != nil {
		res.IsError = true
		res.Content = "error: " + err.Error()
		if out != "" {
			res.Content += "\n" + out
		}
	}
	res.Content = s.scrub(bound(res.Content, maxToolResult))
	return res
}

func (s *session) dispatch(ctx context.Context, c toolCall) (string, error) {
	var a struct {
		Query     string `json:"query"`
		Path      string `json:"path"`
		StartLine int    `json:"start_line"`
		EndLine   int    `json:"end_line"`
		Package   string `json:"package"`
		Run       string `json:"run"`
		Patch     string `json:"patch"`
	}
	if len(c.Args) > 0 {
		if err := json.Unmarshal(c.Args, &a); err != nil {
			return "", fmt.Errorf("arguments are not a JSON object: %v", err)
		}
	}
	switch c.Name {
	case toolQuery:
		return s.queryEPG(a.Query)
	case toolFetch:
		return s.fetch(a.Path, a.StartLine, a.EndLine)
	case toolTests:
		return s.tests(ctx, a.Package, a.Run, a.Patch)
	case toolReplay:
		return s.p.opts.Replayer(ctx, ReplayRequest{Repo: s.repo.root, Patch: a.Patch})
	}
	return "", fmt.Errorf("unknown tool %q", c.Name)
}

func (s *session) queryEPG(q string) (string, error) {
	if s.req.Graph == nil {
		return "", errors.New("no graph is stored for this incident")
	}
	res, err := query.Run(s.req.Graph, q, queryenv.New(nil))
	if err != nil {
		return "", err
	}
	lines, omitted := resultLines(res, 80)
	out := strings.Join(lines, "\n")
	if omitted > 0 {
		out += fmt.Sprintf("\n… %d more nodes omitted", omitted)
	}
	return fmt.Sprintf("%s\n(%d nodes, %d edges)", out, len(res.Nodes), len(res.Edges)), nil
}

func (s *session) fetch(p string, from, to int) (string, error) {
	rel, content, err := s.repo.read(p)
	if err != nil {
		return "", err
	}
	if from <= 0 {
		from = 1
	}
	if to <= 0 || to-from+1 > maxFetchLines {
		to = from + maxFetchLines - 1
	}
	text, a, b := numbered(content, from, to)
	total := len(splitLines(content))
	more := ""
	if b < total {
		more = fmt.Sprintf("… %d more lines (ask with start_line=%d)\n", total-b, b+1)
	}
	return fmt.Sprintf("%s lines %d-%d of %d\n%s%s", rel, a, b, total, text, more), nil
}

func (s *session) tests(ctx context.Context, pkg, run, patch string) (string, error) {
	if strings.TrimSpace(pkg) == "" {
		pkg = "./..."
	}
	rel := strings.TrimPrefix(pkg, "./")
	if rel != "..." && rel != "" {
		r, err := s.repo.rel(strings.TrimSuffix(rel, "/..."))
		if err != nil {
			return "", err
		}
		pkg = "./" + r
		if strings.HasSuffix(rel, "/...") {
			pkg += "/..."
		}
	}
	tr := TestRequest{Repo: s.repo.root, Package: pkg, Run: run}
	if strings.TrimSpace(patch) != "" {
		c, err := checkDiff(patch, s.repo)
		if err != nil {
			return "", err
		}
		files, err := c.applied(s.repo)
		if err != nil {
			return "", err
		}
		tr.Files = files
	}
	return s.p.opts.TestRunner(ctx, tr)
}

// bound keeps the head and tail of a long text, saying how much of the
// middle it left out.
func bound(s string, n int) string {
	if len(s) <= n {
		return s
	}
	head, tail := n*2/3, n/3
	return s[:head] + fmt.Sprintf("\n… %d bytes omitted …\n", len(s)-head-tail) + s[len(s)-tail:]
}
