package report

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Forges ParseRemote recognises.
const (
	ForgeGitHub = "github"
	ForgeGitLab = "gitlab"
)

// Remote is a git remote read as a forge repository.
type Remote struct {
	// Forge is ForgeGitHub, ForgeGitLab or "" when the host says neither.
	Forge string
	Host  string
	// Repo is "owner/name" (GitHub) or the project path (GitLab).
	Repo string
	// APIURL is the forge API root for ForgeOptions.APIURL.
	APIURL string
}

// ParseRemote reads a remote URL in any of git's spellings
// (https://host/owner/name.git, git@host:owner/name.git,
// ssh://git@host[:port]/owner/name.git). Self-hosted forges are
// recognised by "github" or "gitlab" in the host name.
func ParseRemote(raw string) (Remote, error) {
	host, path := "", ""
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
		host, path = u.Hostname(), u.Path
	} else if at, rest, ok := strings.Cut(raw, ":"); ok && !strings.Contains(at, "/") {
		host, path = at[strings.LastIndexByte(at, '@')+1:], rest
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	if host == "" || !strings.Contains(path, "/") {
		return Remote{}, fmt.Errorf("report: remote %q is not a forge repository URL", redactUserinfo(raw))
	}
	r := Remote{Host: host, Repo: path}
	switch h := strings.ToLower(host); {
	case h == "github.com":
		r.Forge, r.APIURL = ForgeGitHub, "https://api.github.com/"
	case strings.Contains(h, "github"):
		r.Forge, r.APIURL = ForgeGitHub, "https://"+host+"/api/v3/"
	case strings.Contains(h, "gitlab"):
		r.Forge, r.APIURL = ForgeGitLab, "https://"+host+"/api/v4/"
	}
	return r, nil
}

// RemoteURL returns the URL of remote in repo.
func RemoteURL(ctx context.Context, repo, remote string) (string, error) {
	return git(ctx, repo, nil, nil, "remote", "get-url", "--", remote)
}

// redactUserinfo drops a password from a URL before it goes in an error.
func redactUserinfo(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return u.Redacted()
		}
	}
	return raw
}
