package report

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-github/v84/github"
)

// OpenGitHub opens a pull request on GitHub (or GitHub Enterprise through
// ForgeOptions.APIURL). The head branch must already be pushed. An
// existing pull request for the branch is reported as ErrPRExists.
func OpenGitHub(ctx context.Context, r PRRequest, o ForgeOptions) (*Opened, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	owner, name, ok := strings.Cut(r.Repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("report: GitHub repository %q is not owner/name", r.Repo)
	}
	g, err := guardOrDefault(o.Guard)
	if err != nil {
		return nil, err
	}
	if err := checkRequest(g, "github", r); err != nil {
		return nil, err
	}
	token, err := o.token("GITHUB_TOKEN")
	if err != nil {
		return nil, err
	}
	c := github.NewClient(o.httpClient(g, "github")).WithAuthToken(token)
	if c.BaseURL, err = url.Parse(o.apiURL("https://api.github.com/")); err != nil {
		return nil, fmt.Errorf("report: GitHub API URL: %w", err)
	}
	pr, _, err := c.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{
		Title: github.Ptr(r.Title), Head: github.Ptr(r.Head), Base: github.Ptr(r.Base),
		Body: github.Ptr(r.Body), Draft: github.Ptr(r.Draft),
	})
	if err != nil {
		return nil, githubError(r, err)
	}
	return &Opened{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}, nil
}

// githubError turns the API's validation error for a duplicate into
// ErrPRExists and keeps the rest readable.
func githubError(r PRRequest, err error) error {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return fmt.Errorf("report: GitHub pull request for %s: %w", r.Head, err)
	}
	msgs := []string{er.Message}
	for _, e := range er.Errors {
		if e.Message != "" {
			msgs = append(msgs, e.Message)
		}
	}
	text := strings.Join(msgs, ": ")
	if er.Response != nil && er.Response.StatusCode == 422 && strings.Contains(strings.ToLower(text), "already exists") {
		return fmt.Errorf("%w: %s → %s on %s (GitHub: %s)", ErrPRExists, r.Head, r.Base, r.Repo, text)
	}
	status := 0
	if er.Response != nil {
		status = er.Response.StatusCode
	}
	return fmt.Errorf("report: GitHub refused the pull request for %s (HTTP %d): %s", r.Head, status, text)
}
