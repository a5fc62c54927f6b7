// Package template is TAG's offline, deterministic patch proposer
// (DESIGN.md §1, "repair"): fix patterns applied to the syntax trees of
// the code an RCA report implicates, each chosen by the incident's kind
// and the shape of the code at the report's sites.
//
// Go sources are parsed with go/parser and type-checked with go/types
// (imports are left opaque, so only the package's own types are known);
// Python and Java are read through a small syntax interface (syntax.go:
// the def around a line, the statement at a line, assignments, `.sort(`
// calls and the uses and writes of a name or attribute chain; a file's
// methods, synchronized statements and how they nest, its package and
// types). By default it is a pure-Go scanner: tokenizers that know
// comments, strings (f-strings, triple quotes, text blocks) and line
// continuations, and a walk over Python's statements or Java's members
// and blocks; built with `-tags treesitter` (cgo and a C compiler
// needed), it reads tree-sitter syntax trees instead
// (syntax_treesitter*.go), and the tests hold the two to the same answers
// (syntax_agree_test.go): go build -tags treesitter ./cmd/tag. Every
// template edits text at the byte ranges these readers return, so
// comments and layout outside the edit survive, and gofmt's the result;
// the output is a git-style unified diff plus a second diff that adds a
// regression test built from the captured inputs or the evidence.
//
// Templates:
//
//   - nil-guard (panic: nil pointer dereference): reads of fields through
//     the nil pointer at the failing statement become a local that holds
//     the field's zero value when the pointer is nil.
//   - default-empty (Python TypeError on None): a cache/dict lookup that
//     may miss defaults to an empty list.
//   - copy-before-sort (race; Python: the exception a concurrent append
//     raises): an in-place sort of a shared slice (a field or a global)
//     or list attribute sorts a clone instead (Python: sorted()).
//   - lock-order (deadlock): two locks taken in argument order are taken
//     in a global order by an ordered key, or (Java) the method that
//     nests monitors the other way takes them in its peer's order.
//   - per-key-lock (timeout, blocked): one global mutex held across slow
//     work becomes a per-key lock acquired with the context's deadline,
//     the global mutex kept only around the state it guards.
//   - ctx-timeout (timeout, blocked): an outbound HTTP request built on
//     context.Background() or without a context, found at a report site or
//     on a graph thread parked under net/http's client, is built on the
//     function's context, or on one with a timeout when it has none.
//   - buffered-send, send-or-done (leak, blocked: a goroutine parked in
//     chan send): the only sender's single send gets a buffer of one;
//     senders in a loop select on the context's Done.
//   - add-before-go (race, or a WaitGroup panic): wg.Add inside the
//     goroutine moves before its go statement.
//   - close-once (panic: close of closed channel): every close of the
//     channel field goes through a sync.Once added to the struct.
//   - loopvar-shadow (race, when the module's go directive is below
//     1.22): loop variables captured by a closure are shadowed per
//     iteration; from go 1.22 nothing is proposed.
//   - defer-unlock, unlock-on-return (deadlock, blocked on a Lock that no
//     live stack holds): the function that returns with the mutex locked
//     — any in the package that locks it — defers the Unlock, or unlocks
//     before each early return when work follows its Unlock.
//
// Patches stay inside the functions the evidence implicates — the
// report's sites, the in-app frame of a graph thread stuck in a library
// call, or, for a mutex left locked, the function of the package that
// locks it and returns without unlocking — except where a template must
// add an unexported field or helper; exported signatures never change.
//
// Each template has a fixture under testdata/: a small module (or Python
// program) with the bug and a reproduction that fails on it, which the
// tests run with the real toolchain to get the evidence, and run again
// with the patch to see it pass.
package template
