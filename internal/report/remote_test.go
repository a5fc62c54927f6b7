package report

import (
	"strings"
	"testing"
)

func TestParseRemote(t *testing.T) {
	for _, tt := range []struct {
		in                  string
		forge, repo, apiURL string
	}{
		{"https://github.com/acme/counter.git", ForgeGitHub, "acme/counter", "https://api.github.com/"},
		{"git@github.com:acme/counter.git", ForgeGitHub, "acme/counter", "https://api.github.com/"},
		{"ssh://git@github.example.com:2222/acme/counter", ForgeGitHub, "acme/counter", "https://github.example.com/api/v3/"},
		{"https://gitlab.com/acme/team/counter.git", ForgeGitLab, "acme/team/counter", "https://gitlab.com/api/v4/"},
		{"git@gitlab.internal:acme/team/counter.git", ForgeGitLab, "acme/team/counter", "https://gitlab.internal/api/v4/"},
		{"https://git.example.org/acme/counter", "", "acme/counter", ""},
	} {
		r, err := ParseRemote(tt.in)
		if err != nil || r.Forge != tt.forge || r.Repo != tt.repo || r.APIURL != tt.apiURL {
			t.Errorf("ParseRemote(%q) = %+v, %v", tt.in, r, err)
		}
	}
	for _, bad := range []string{"/srv/git/counter.git", "counter", "https://github.com/acme"} {
		if _, err := ParseRemote(bad); err == nil {
			t.Errorf("ParseRemote(%q) accepted", bad)
		}
	}
	pw := "https://user:" + strings.Repeat("p", 8) + "@git.example.org/x"
	if _, err := ParseRemote(pw); err == nil || strings.Contains(err.Error(), strings.Repeat("p", 8)) {
		t.Errorf("error quotes the password: %v", err)
	}
}

func TestRemoteURL(t *testing.T) {
	repo, _ := newRepo(t)
	run(t, repo, "remote", "add", "origin", "git@github.com:acme/counter.git")
	u, err := RemoteURL(ctx(t), repo, "origin")
	if err != nil || u != "git@github.com:acme/counter.git" {
		t.Errorf("RemoteURL = %q, %v", u, err)
	}
}
