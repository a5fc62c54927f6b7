// Package report is the last stage of the flow (DESIGN.md §1, "report"):
// it turns a verified (or rejected) repair candidate and the evidence that
// chose it into something a reviewer can act on.
//
//   - Write renders the PR bundle: PR.md (the pull-request description),
//     patch.diff, test.diff, report.json and checks.json.
//   - Branch commits the patch and its test on a new branch of the target
//     repository through git plumbing and a temporary index, so the user's
//     checkout, index and current branch are never touched.
//   - Push sends that branch to a remote.
//   - OpenGitHub and OpenGitLab open the pull (merge) request.
//
// Everything that leaves TAG through this package passes the egress guard
// (DESIGN.md §6) first: every bundle file, every commit message and every
// forge request body. A refusal names the part that was refused, never the
// value, and nothing is written, committed or sent.
package report
