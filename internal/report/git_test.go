package report

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/redact"
)

// checkout is everything of the user's checkout Branch must not touch.
type checkout struct {
	head, ref, staged, unstaged, status, lsFiles string
	files                                        map[string]string
}

func snapshot(t *testing.T, repo string) checkout {
	t.Helper()
	c := checkout{
		head: run(t, repo, "rev-parse", "HEAD"), ref: run(t, repo, "symbolic-ref", "HEAD"),
		staged: run(t, repo, "diff", "--cached"), unstaged: run(t, repo, "diff"),
		status: run(t, repo, "status", "--porcelain=v1", "--untracked-files=all"), lsFiles: run(t, repo, "ls-files", "-s"),
		files: map[string]string{},
	}
	filepath.Walk(repo, func(p string, info os.FileInfo, err error) error {
		if info.IsDir() && info.Name() == ".git" {
			return filepath.SkipDir
		}
		if !info.IsDir() {
			c.files[p] = readFile(t, p)
		}
		return nil
	})
	return c
}

func TestBranchLeavesCheckoutAlone(t *testing.T) {
	repo, base := newRepo(t)
	run(t, repo, "switch", "-q", "-c", "work")
	// Uncommitted work of every kind: a staged edit, an unstaged edit of
	// the very file the patch changes, an untracked file.
	writeFile(t, filepath.Join(repo, "go.mod"), "module example.invalid/counter\n\ngo 1.26\n\n// staged\n")
	run(t, repo, "add", "go.mod")
	writeFile(t, filepath.Join(repo, "store", "store.go"), storeGo+"\n// work in progress\n")
	writeFile(t, filepath.Join(repo, "notes.txt"), "untracked\n")

	before := snapshot(t, repo)
	index := readFile(t, filepath.Join(repo, ".git", "index"))
	b := fixtureBundle()
	branch, commit, err := Branch(ctx(t), repo, b, BranchOptions{Base: "main", Guard: testGuard(t)})
	if err != nil {
		t.Fatal(err)
	}
	if readFile(t, filepath.Join(repo, ".git", "index")) != index {
		t.Error("Branch wrote the user's index")
	}
	if after := snapshot(t, repo); !reflect.DeepEqual(before, after) {
		t.Errorf("the checkout changed:\nbefore %+v\nafter  %+v", before, after)
	}

	if branch != "tag/fix-3f9a1c2b" {
		t.Errorf("branch = %q", branch)
	}
	if got := run(t, repo, "rev-parse", "refs/heads/"+branch); got != commit {
		t.Errorf("branch at %s, want %s", got, commit)
	}
	if got := run(t, repo, "rev-list", "--parents", "-n", "1", commit); got != commit+" "+base {
		t.Errorf("commit's parents: %q, want only %s", got, base)
	}
	if got := run(t, repo, "diff", "--name-status", base, commit); got != "M\tstore/store.go\nA\tstore/store_test.go" {
		t.Errorf("commit changes:\n%s", got)
	}
	if got := run(t, repo, "show", commit+":store/store.go"); got != strings.TrimSpace(storeGoFixed) {
		t.Errorf("patched file:\n%s", got)
	}
	if got := run(t, repo, "show", commit+":store/store_test.go"); !strings.Contains(got, "func TestAddNegativeUnlocks") {
		t.Errorf("test file:\n%s", got)
	}
	if got := run(t, repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", commit); got != "TAG <tag@localhost>|TAG <tag@localhost>|fix: all goroutines are asleep in store.(*Store).Add" {
		t.Errorf("identity and subject: %q", got)
	}
	msg := run(t, repo, "log", "-1", "--format=%B", commit)
	for _, s := range []string{"Root cause: ", "deferring the unlock", "pass  repro-after", "TAG-Incident: 3f9a1c2b7d4e"} {
		if !strings.Contains(msg, s) {
			t.Errorf("commit message lacks %q:\n%s", s, msg)
		}
	}

	// The branch exists now: fail, or take the next suffix.
	if _, _, err := Branch(ctx(t), repo, b, BranchOptions{Base: "main"}); !errors.Is(err, ErrBranchExists) {
		t.Errorf("second Branch: %v, want ErrBranchExists", err)
	}
	b2, _, err := Branch(ctx(t), repo, b, BranchOptions{Base: "main", Suffix: true, Author: "Ada <ada@example.invalid>"})
	if err != nil || b2 != "tag/fix-3f9a1c2b-2" {
		t.Errorf("suffixed Branch = %q, %v", b2, err)
	}
	if got := run(t, repo, "log", "-1", "--format=%an|%cn", b2); got != "Ada|Ada" {
		t.Errorf("identity %q", got)
	}
	if after := snapshot(t, repo); !reflect.DeepEqual(before, after) {
		t.Error("the checkout changed on the second run")
	}
}

func TestBranchRefuses(t *testing.T) {
	repo, _ := newRepo(t)
	b := fixtureBundle()
	b.Candidate.Why += " Seen with " + plantedSecret(t) + "."
	_, _, err := Branch(ctx(t), repo, b, BranchOptions{Guard: testGuard(t)})
	if !errors.Is(err, redact.ErrEgressBlocked) || !strings.Contains(err.Error(), "commit message") {
		t.Errorf("err = %v, want the commit message refused", err)
	}
	if refs := run(t, repo, "for-each-ref", "refs/heads/tag/"); refs != "" {
		t.Errorf("a refused commit left %s", refs)
	}

	b = fixtureBundle()
	b.Candidate.Patch = strings.Replace(b.Candidate.Patch, "s.mu.Lock()", "s.mu.RLock()", 1)
	if _, _, err := Branch(ctx(t), repo, b, BranchOptions{}); err == nil || !strings.Contains(err.Error(), "patch does not apply") {
		t.Errorf("a stale patch: %v", err)
	}
	if _, _, err := Branch(ctx(t), repo, fixtureBundle(), BranchOptions{Author: "nobody"}); err == nil {
		t.Error("a malformed author was accepted")
	}
}

func TestPush(t *testing.T) {
	repo, _ := newRepo(t)
	bare := t.TempDir()
	run(t, bare, "init", "-q", "--bare")
	branch, commit, err := Branch(ctx(t), repo, fixtureBundle(), BranchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Push(ctx(t), repo, bare, branch); err != nil {
		t.Fatal(err)
	}
	if got := run(t, bare, "rev-parse", "refs/heads/"+branch); got != commit {
		t.Errorf("remote has %s, want %s", got, commit)
	}
	if err := Push(ctx(t), repo, bare, "no-such-branch"); err == nil || !strings.Contains(err.Error(), "no-such-branch") {
		t.Errorf("pushing a missing branch: %v", err)
	}
}

func TestBranchFromSubdirectoryAndBare(t *testing.T) {
	repo, base := newRepo(t)
	branch, commit, err := Branch(ctx(t), filepath.Join(repo, "store"), fixtureBundle(), BranchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, repo, "diff", "--name-only", base, branch); got != "store/store.go\nstore/store_test.go" {
		t.Errorf("from a subdirectory the commit changes %q", got)
	}
	bare := t.TempDir()
	run(t, bare, "clone", "-q", "--bare", repo, ".")
	_, c2, err := Branch(ctx(t), bare, fixtureBundle(), BranchOptions{Base: "main", Name: "tag/in-bare"})
	if err != nil {
		t.Fatal(err)
	}
	if run(t, bare, "rev-parse", c2+"^{tree}") != run(t, repo, "rev-parse", commit+"^{tree}") {
		t.Error("the bare repository's fix tree differs")
	}
}
