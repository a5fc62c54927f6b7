package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tagdebug/tag/internal/redact"
)

// ErrBranchExists is returned by Branch when the branch is already there
// and BranchOptions.Suffix is off.
var ErrBranchExists = errors.New("report: branch already exists")

// DefaultAuthor is the author and committer of TAG's commits unless
// BranchOptions says otherwise.
const DefaultAuthor = "TAG <tag@localhost>"

// BranchOptions tune Branch.
type BranchOptions struct {
	// Name is the branch name; empty means "tag/fix-<incident-short>".
	Name string
	// Base is the commit the branch starts from; empty means HEAD.
	Base string
	// Suffix picks the first free name among Name, Name-2, Name-3, …
	// instead of failing with ErrBranchExists.
	Suffix bool
	// Author and Committer are "Name <email>"; empty means DefaultAuthor
	// (and the author, for the committer).
	Author, Committer string
	// Message replaces the commit message derived from the bundle.
	Message string
	// Guard checks the commit message, patch and test; nil means a guard
	// over the built-in policy.
	Guard *redact.Guard
}

// Branch commits b's patch and test on a new branch of the git repository
// repo and returns the branch name and commit. It works on a temporary
// index with git plumbing (read-tree, apply --cached, write-tree,
// commit-tree, update-ref), so the user's current branch, HEAD, index and
// working tree are untouched, uncommitted changes included. The branch is
// created atomically: if another process makes it first, Branch fails (or
// tries the next suffix).
func Branch(ctx context.Context, repo string, b *Bundle, opts BranchOptions) (branch, commit string, err error) {
	g, err := guardOrDefault(opts.Guard)
	if err != nil {
		return "", "", err
	}
	msg := opts.Message
	if msg == "" {
		msg = CommitMessage(b)
	}
	parts := []part{{"commit message", []byte(msg)}, {FilePatch, []byte(b.Candidate.Patch)}, {FileTest, []byte(b.Candidate.Test)}}
	if err := checkParts(g, "git", parts); err != nil {
		return "", "", err
	}
	author, committer, err := identities(opts)
	if err != nil {
		return "", "", err
	}
	repo = topLevel(ctx, repo)
	base := opts.Base
	if base == "" {
		base = "HEAD"
	}
	baseCommit, err := git(ctx, repo, nil, nil, "rev-parse", "--verify", "--end-of-options", base+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("report: base %q: %w", base, err)
	}
	tree, err := patchedTree(ctx, repo, baseCommit, b)
	if err != nil {
		return "", "", err
	}
	env := append(identityEnv("AUTHOR", author), identityEnv("COMMITTER", committer)...)
	commit, err = git(ctx, repo, env, strings.NewReader(msg), "commit-tree", "--no-gpg-sign", tree, "-p", baseCommit, "-F", "-")
	if err != nil {
		return "", "", err
	}
	name := opts.Name
	if name == "" {
		name = "tag/fix-" + shortIncident(b.Incident)
	}
	branch, err = createBranch(ctx, repo, name, commit, opts.Suffix)
	return branch, commit, err
}

// patchedTree applies the patch and the test to base's tree in a
// temporary index outside the repository and writes the tree.
func patchedTree(ctx context.Context, repo, base string, b *Bundle) (string, error) {
	tmp, err := os.MkdirTemp("", "tag-index-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(tmp, "index")}
	if _, err := git(ctx, repo, env, nil, "read-tree", base); err != nil {
		return "", err
	}
	for _, d := range []struct{ name, diff string }{{"patch", b.Candidate.Patch}, {"test", b.Candidate.Test}} {
		if strings.TrimSpace(d.diff) == "" {
			if d.name == "patch" {
				return "", errors.New("report: the candidate has no patch")
			}
			continue
		}
		if _, err := git(ctx, repo, env, strings.NewReader(d.diff), "apply", "--cached", "--whitespace=nowarn", "-"); err != nil {
			return "", fmt.Errorf("report: the %s does not apply to %s: %w", d.name, base[:min(12, len(base))], err)
		}
	}
	return git(ctx, repo, env, nil, "write-tree")
}

// topLevel is the root of repo's working tree, where git apply takes the
// patch's paths from; a bare repository is its own root.
func topLevel(ctx context.Context, repo string) string {
	if top, err := git(ctx, repo, nil, nil, "rev-parse", "--show-toplevel"); err == nil && top != "" {
		return top
	}
	return repo
}

// createBranch points refs/heads/name at commit only if it does not exist
// yet (update-ref's zero old value makes the check and the write one step).
func createBranch(ctx context.Context, repo, name, commit string, suffix bool) (string, error) {
	for i := 1; i <= 100; i++ {
		try := name
		if i > 1 {
			try = fmt.Sprintf("%s-%d", name, i)
		}
		if _, err := git(ctx, repo, nil, nil, "check-ref-format", "--branch", try); err != nil {
			return "", fmt.Errorf("report: bad branch name %q: %w", try, err)
		}
		ref := "refs/heads/" + try
		_, err := git(ctx, repo, nil, nil, "update-ref", "-m", "tag: fix branch", ref, commit, "")
		if err == nil {
			return try, nil
		}
		if _, verr := git(ctx, repo, nil, nil, "rev-parse", "--verify", "--quiet", ref); verr != nil {
			return "", err // failed for another reason than existing
		}
		if !suffix {
			return "", fmt.Errorf("%w: %s", ErrBranchExists, try)
		}
	}
	return "", fmt.Errorf("%w: %s and 99 suffixes", ErrBranchExists, name)
}

// Push pushes branch of repo to remote (a remote name or URL). It never
// forces.
func Push(ctx context.Context, repo, remote, branch string) error {
	ref := "refs/heads/" + branch
	_, err := git(ctx, repo, []string{"GIT_TERMINAL_PROMPT=0"}, nil, "push", "--porcelain", "--", remote, ref+":"+ref)
	if err != nil {
		return fmt.Errorf("report: push %s to %s: %w", branch, remote, err)
	}
	return nil
}

// CommitMessage is the commit message for b: a subject line, the root
// cause, why the fix is right, the verification and an incident trailer.
func CommitMessage(b *Bundle) string {
	var sb strings.Builder
	subject := b.Title
	if subject == "" && b.Report != nil {
		subject = b.Report.Title
	}
	if subject == "" {
		subject = "incident " + b.Incident
	}
	sb.WriteString("fix: " + redact.Shorten(subject, 66) + "\n\n")
	if b.Report != nil && b.Report.RootCause.Summary != "" {
		sb.WriteString("Root cause: " + b.Report.RootCause.Summary + "\n\n")
	}
	if b.Candidate.Why != "" {
		sb.WriteString(strings.TrimSpace(b.Candidate.Why) + "\n\n")
	}
	if len(b.Checks) > 0 {
		sb.WriteString("Verification (" + verdictText(b.Verdict) + "):\n")
		for _, c := range b.Checks {
			sb.WriteString("  " + c.Status + "  " + c.Name + "\n")
		}
		sb.WriteString("\n")
	}
	sb.WriteString("TAG-Incident: " + b.Incident + "\n")
	if b.Candidate.Template != "" {
		sb.WriteString("TAG-Fix: " + b.Candidate.Proposer + "/" + b.Candidate.Template + "\n")
	}
	return sb.String()
}

// identity is a parsed "Name <email>".
type identity struct{ name, email string }

func identities(o BranchOptions) (author, committer identity, err error) {
	a := o.Author
	if a == "" {
		a = DefaultAuthor
	}
	c := o.Committer
	if c == "" {
		c = a
	}
	if author, err = parseIdentity(a); err != nil {
		return
	}
	committer, err = parseIdentity(c)
	return
}

func parseIdentity(s string) (identity, error) {
	lt, gt := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>')
	if lt <= 0 || gt < lt || strings.TrimSpace(s[:lt]) == "" {
		return identity{}, fmt.Errorf("report: identity %q is not \"Name <email>\"", s)
	}
	return identity{strings.TrimSpace(s[:lt]), s[lt+1 : gt]}, nil
}

func identityEnv(role string, id identity) []string {
	return []string{"GIT_" + role + "_NAME=" + id.name, "GIT_" + role + "_EMAIL=" + id.email}
}

// git runs one git command in repo and returns its trimmed stdout. The
// environment is the process's minus anything that would redirect git to
// another repository or index, plus env.
func git(ctx context.Context, repo string, env []string, stdin *strings.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, args...)...)
	cmd.Env = append(cleanEnv(), env...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.Join(strings.Split(strings.TrimSpace(errb.String()), "\n"), "; ")
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", args[0], redact.Shorten(msg, 300))
	}
	return strings.TrimSpace(out.String()), nil
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
			"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE":
			continue
		}
		env = append(env, kv)
	}
	return env
}
