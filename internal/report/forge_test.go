package report

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tagdebug/tag/internal/redact"
)

// fakeToken is built at run time so no token-shaped literal is committed.
func fakeToken(prefix string) string { return prefix + strings.Repeat("x", 12) + "-test" }

// forgeServer is a fake forge: it checks the method, the escaped path and
// the auth header, records the JSON body and answers with status and
// answer.
type forgeServer struct {
	t              *testing.T
	path           string
	auth           func(http.Header) bool
	status         int
	answer         string
	calls          atomic.Int32
	body           map[string]any
	contentTypeSet bool
}

func (f *forgeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.Method != http.MethodPost || r.URL.EscapedPath() != f.path {
		f.t.Errorf("request %s %s, want POST %s", r.Method, r.URL.EscapedPath(), f.path)
		http.NotFound(w, r)
		return
	}
	if !f.auth(r.Header) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Bad credentials"}`)
		return
	}
	f.contentTypeSet = strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &f.body); err != nil {
		f.t.Errorf("body is not JSON: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.status)
	io.WriteString(w, f.answer)
}

func githubAuth(token string) func(http.Header) bool {
	return func(h http.Header) bool {
		a := h.Get("Authorization")
		return a == "Bearer "+token || a == "token "+token
	}
}

func written(t *testing.T) *Written {
	t.Helper()
	w, err := Write(ctx(t), fixtureBundle(), t.TempDir()+"/bundle", testGuard(t))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestOpenGitHub(t *testing.T) {
	w := written(t)
	token := fakeToken("gh-")
	f := &forgeServer{t: t, path: "/repos/acme/counter/pulls", auth: githubAuth(token), status: http.StatusCreated,
		answer: `{"id":1001,"number":42,"state":"open","html_url":"https://github.example/acme/counter/pull/42","head":{"ref":"tag/fix-3f9a1c2b"}}`}
	srv := httptest.NewServer(f)
	defer srv.Close()
	o := ForgeOptions{Token: token, APIURL: srv.URL, Guard: testGuard(t)}
	pr, err := OpenGitHub(ctx(t), w.PRRequest("acme/counter", "tag/fix-3f9a1c2b", "main"), o)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Number != 42 || pr.URL != "https://github.example/acme/counter/pull/42" {
		t.Errorf("opened %+v", pr)
	}
	if f.body["title"] != w.Title || f.body["head"] != "tag/fix-3f9a1c2b" || f.body["base"] != "main" || f.body["body"] != w.Body {
		t.Errorf("request body: title %v head %v base %v, body equal to PR.md: %v", f.body["title"], f.body["head"], f.body["base"], f.body["body"] == w.Body)
	}
	if !f.contentTypeSet {
		t.Error("no JSON content type")
	}

	// Already open: GitHub's validation error.
	f.status = http.StatusUnprocessableEntity
	f.answer = `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:tag/fix-3f9a1c2b."}],"documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"422"}`
	_, err = OpenGitHub(ctx(t), w.PRRequest("acme/counter", "tag/fix-3f9a1c2b", "main"), o)
	if !errors.Is(err, ErrPRExists) || !strings.Contains(err.Error(), "A pull request already exists") {
		t.Errorf("duplicate: %v", err)
	}

	// Wrong token.
	o.Token = fakeToken("other-")
	if _, err := OpenGitHub(ctx(t), w.PRRequest("acme/counter", "tag/fix-3f9a1c2b", "main"), o); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad credentials: %v", err)
	}

	// The token may come from the environment; none at all is an error.
	t.Setenv("GITHUB_TOKEN", token)
	f.status, f.answer = http.StatusCreated, `{"number":43,"html_url":"https://github.example/acme/counter/pull/43"}`
	if pr, err := OpenGitHub(ctx(t), w.PRRequest("acme/counter", "b", "main"), ForgeOptions{APIURL: srv.URL + "/"}); err != nil || pr.Number != 43 {
		t.Errorf("token from env: %+v, %v", pr, err)
	}
	t.Setenv("GITHUB_TOKEN", "")
	if _, err := OpenGitHub(ctx(t), w.PRRequest("acme/counter", "b", "main"), ForgeOptions{APIURL: srv.URL}); !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	if _, err := OpenGitHub(ctx(t), w.PRRequest("counter", "b", "main"), o); err == nil {
		t.Error("a repository without owner was accepted")
	}
}

func TestOpenGitLab(t *testing.T) {
	w := written(t)
	token := fakeToken("gl-")
	f := &forgeServer{t: t, path: "/api/v4/projects/acme%2Fteam%2Fcounter/merge_requests",
		auth:   func(h http.Header) bool { return h.Get("PRIVATE-TOKEN") == token },
		status: http.StatusCreated, answer: `{"id":9001,"iid":7,"project_id":12,"state":"opened","web_url":"https://gitlab.example/acme/team/counter/-/merge_requests/7"}`}
	srv := httptest.NewServer(f)
	defer srv.Close()
	o := ForgeOptions{Token: token, APIURL: srv.URL + "/api/v4", Guard: testGuard(t)}
	r := w.PRRequest("acme/team/counter", "tag/fix-3f9a1c2b", "main")
	mr, err := OpenGitLab(ctx(t), r, o)
	if err != nil {
		t.Fatal(err)
	}
	if mr.Number != 7 || mr.URL != "https://gitlab.example/acme/team/counter/-/merge_requests/7" {
		t.Errorf("opened %+v", mr)
	}
	if f.body["title"] != w.Title || f.body["source_branch"] != r.Head || f.body["target_branch"] != "main" || f.body["description"] != w.Body {
		t.Errorf("request body: %v %v %v, description equal to PR.md: %v", f.body["title"], f.body["source_branch"], f.body["target_branch"], f.body["description"] == w.Body)
	}

	f.status = http.StatusConflict
	f.answer = `{"message":["Another open merge request already exists for this source branch: !7"]}`
	if _, err := OpenGitLab(ctx(t), r, o); !errors.Is(err, ErrPRExists) || !strings.Contains(err.Error(), "!7") {
		t.Errorf("duplicate: %v", err)
	}
	f.status = http.StatusBadRequest
	f.answer = `{"message":{"target_branch":["is invalid"]}}`
	if _, err := OpenGitLab(ctx(t), r, o); err == nil || !strings.Contains(err.Error(), "target_branch: is invalid") {
		t.Errorf("validation error: %v", err)
	}
	o.Token = "wrong"
	if _, err := OpenGitLab(ctx(t), r, o); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad token: %v", err)
	}
	r.Draft = true
	o.Token = token
	f.status, f.answer = http.StatusCreated, `{"iid":8,"web_url":"u"}`
	if _, err := OpenGitLab(ctx(t), r, o); err != nil || !strings.HasPrefix(f.body["title"].(string), "Draft: ") {
		t.Errorf("draft: %v %v", err, f.body["title"])
	}
}

func TestForgesRefuseSecrets(t *testing.T) {
	w := written(t)
	secret := plantedSecret(t)
	r := w.PRRequest("acme/counter", "tag/fix-3f9a1c2b", "main")
	r.Body += "\nleaked: " + secret + "\n"
	f := &forgeServer{t: t, auth: func(http.Header) bool { return true }, status: http.StatusCreated, answer: `{"number":1,"iid":1}`}
	srv := httptest.NewServer(f)
	defer srv.Close()
	o := ForgeOptions{Token: fakeToken("t-"), APIURL: srv.URL, Guard: testGuard(t)}
	for name, open := range map[string]func() (*Opened, error){
		"github": func() (*Opened, error) { return OpenGitHub(ctx(t), r, o) },
		"gitlab": func() (*Opened, error) { return OpenGitLab(ctx(t), r, o) },
	} {
		_, err := open()
		if !errors.Is(err, redact.ErrEgressBlocked) || !strings.Contains(err.Error(), "body") || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("the forge was called %d times", n)
	}

	// The transport checks what is actually sent, too.
	c := o.httpClient(testGuard(t), "webhook")
	_, err := c.Post(srv.URL, "application/json", strings.NewReader(`{"text":"`+secret+`"}`))
	if !errors.Is(err, redact.ErrEgressBlocked) || f.calls.Load() != 0 {
		t.Errorf("guarded transport: %v, %d calls", err, f.calls.Load())
	}
}

func TestForgeRedirectKeepsCredentialsHome(t *testing.T) {
	other := &forgeServer{t: t, auth: func(http.Header) bool { return true }}
	elsewhere := httptest.NewServer(other)
	defer elsewhere.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer home.Close()
	r := written(t).PRRequest("acme/counter", "b", "main")
	_, err := OpenGitLab(ctx(t), r, ForgeOptions{Token: fakeToken("gl-"), APIURL: home.URL, Guard: testGuard(t)})
	if err == nil || !strings.Contains(err.Error(), "another host") || other.calls.Load() != 0 {
		t.Errorf("cross-host redirect: %v, %d calls elsewhere", err, other.calls.Load())
	}
}
