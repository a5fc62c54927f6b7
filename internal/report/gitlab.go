package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// gitlabMR is the part of GitLab's merge request answer TAG reads.
type gitlabMR struct {
	IID    int    `json:"iid"`
	WebURL string `json:"web_url"`
}

// OpenGitLab opens a merge request on GitLab (POST
// /projects/:id/merge_requests, authenticated with PRIVATE-TOKEN). The
// source branch must already be pushed. An existing merge request for the
// branch is reported as ErrPRExists.
func OpenGitLab(ctx context.Context, r PRRequest, o ForgeOptions) (*Opened, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	g, err := guardOrDefault(o.Guard)
	if err != nil {
		return nil, err
	}
	if err := checkRequest(g, "gitlab", r); err != nil {
		return nil, err
	}
	token, err := o.token("GITLAB_TOKEN")
	if err != nil {
		return nil, err
	}
	title := r.Title
	if r.Draft {
		title = "Draft: " + title
	}
	body, err := json.Marshal(map[string]any{"source_branch": r.Head, "target_branch": r.Base,
		"title": title, "description": r.Body, "remove_source_branch": true})
	if err != nil {
		return nil, err
	}
	u := o.apiURL("https://gitlab.com/api/v4/") + "projects/" + url.PathEscape(r.Repo) + "/merge_requests"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("report: GitLab API URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := o.httpClient(g, "gitlab").Do(req)
	if err != nil {
		return nil, fmt.Errorf("report: GitLab merge request for %s: %w", r.Head, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("report: GitLab merge request for %s: %w", r.Head, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, gitlabError(r, resp.StatusCode, data)
	}
	var mr gitlabMR
	if err := json.Unmarshal(data, &mr); err != nil || mr.IID == 0 {
		return nil, fmt.Errorf("report: GitLab answered the merge request for %s without an iid (HTTP %d)", r.Head, resp.StatusCode)
	}
	return &Opened{Number: mr.IID, URL: mr.WebURL}, nil
}

// gitlabError reads GitLab's error shapes: {"message": "…"},
// {"message": ["…"]}, {"message": {"field": ["…"]}} or {"error": "…"}.
func gitlabError(r PRRequest, status int, data []byte) error {
	var e struct {
		Message json.RawMessage `json:"message"`
		Error   string          `json:"error"`
	}
	_ = json.Unmarshal(data, &e)
	text := e.Error
	if len(e.Message) > 0 {
		var s string
		var list []string
		var fields map[string][]string
		switch {
		case json.Unmarshal(e.Message, &s) == nil:
			text = s
		case json.Unmarshal(e.Message, &list) == nil:
			text = strings.Join(list, "; ")
		case json.Unmarshal(e.Message, &fields) == nil:
			for _, k := range slices.Sorted(maps.Keys(fields)) {
				text += k + ": " + strings.Join(fields[k], ", ") + "; "
			}
		}
	}
	if text == "" {
		text = http.StatusText(status)
	}
	if status == http.StatusConflict || strings.Contains(strings.ToLower(text), "already exists") {
		return fmt.Errorf("%w: %s → %s on %s (GitLab: %s)", ErrPRExists, r.Head, r.Base, r.Repo, text)
	}
	return fmt.Errorf("report: GitLab refused the merge request for %s (HTTP %d): %s", r.Head, status, text)
}
