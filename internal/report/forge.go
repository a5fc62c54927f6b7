package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tagdebug/tag/internal/redact"
)

// Errors of the forge clients.
var (
	// ErrPRExists is returned when the forge already has an open pull
	// (merge) request for the branch.
	ErrPRExists = errors.New("report: a pull request for this branch already exists")
	// ErrNoToken is returned when neither the options nor the environment
	// hold a token for the forge.
	ErrNoToken = errors.New("report: no forge token")
)

// PRRequest is what a pull (merge) request is opened with.
type PRRequest struct {
	// Repo is the GitHub "owner/name", or the GitLab project path
	// ("group/sub/name") or numeric ID.
	Repo string
	// Head is the branch with the fix (Branch's result, pushed), Base the
	// branch to merge it into.
	Head, Base string
	// Title and Body are the request's title and description; Written
	// holds both.
	Title, Body string
	// Draft opens the request as a draft.
	Draft bool
}

// PRRequest returns the request that proposes w's bundle from head into
// base of repo.
func (w *Written) PRRequest(repo, head, base string) PRRequest {
	return PRRequest{Repo: repo, Head: head, Base: base, Title: w.Title, Body: w.Body}
}

// ForgeOptions configure a forge client.
type ForgeOptions struct {
	// Token authenticates; empty means $GITHUB_TOKEN or $GITLAB_TOKEN.
	Token string
	// APIURL is the API root: "https://api.github.com/" and
	// "https://gitlab.com/api/v4/" by default; for GitHub Enterprise
	// "https://HOST/api/v3/".
	APIURL string
	// HTTPClient is the client to send with; nil means one with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Guard checks every request body; nil means a guard over the built-in
	// policy.
	Guard *redact.Guard
}

// Opened is a pull (merge) request the forge made.
type Opened struct {
	// Number is the pull request number (GitHub) or the merge request's
	// project-scoped IID (GitLab).
	Number int    `json:"number"`
	URL    string `json:"url"`
}

func (o ForgeOptions) token(env string) (string, error) {
	if o.Token != "" {
		return o.Token, nil
	}
	if t := os.Getenv(env); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("%w: set %s or pass a token", ErrNoToken, env)
}

func (o ForgeOptions) apiURL(def string) string {
	u := o.APIURL
	if u == "" {
		u = def
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// httpClient returns a copy of the configured client whose transport
// passes every request body through the guard before it is sent.
func (o ForgeOptions) httpClient(g *redact.Guard, sink string) *http.Client {
	c := &http.Client{Timeout: 30 * time.Second}
	if o.HTTPClient != nil {
		cp := *o.HTTPClient
		c = &cp
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &guardedTransport{next: next, guard: g, sink: sink}
	if c.CheckRedirect == nil {
		c.CheckRedirect = sameHostRedirect
	}
	return c
}

// sameHostRedirect follows redirects only within the API's host: net/http
// drops Authorization on a cross-host redirect but would forward GitLab's
// PRIVATE-TOKEN.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("report: too many redirects")
	}
	if req.URL.Host != via[0].URL.Host {
		return fmt.Errorf("report: the forge redirected to another host (%s); not following with credentials", req.URL.Host)
	}
	return nil
}

// guardedTransport refuses to send a request whose body the egress guard
// blocks.
type guardedTransport struct {
	next  http.RoundTripper
	guard *redact.Guard
	sink  string
}

// RoundTrip checks the body, then sends the request unchanged.
func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	if err := t.guard.Check(body, t.sink); err != nil {
		return nil, fmt.Errorf("report: %s request body refused by the egress guard: %w", t.sink, err)
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return t.next.RoundTrip(req)
}

// checkRequest runs the title and body through the guard, so a refusal
// names the part and nothing is sent.
func checkRequest(g *redact.Guard, sink string, r PRRequest) error {
	return checkParts(g, sink, []part{{"title", []byte(r.Title)}, {"body", []byte(r.Body)}})
}

func (r PRRequest) validate() error {
	if r.Repo == "" || r.Head == "" || r.Base == "" || r.Title == "" {
		return errors.New("report: a pull request needs a repository, head and base branches and a title")
	}
	return nil
}
