// Package verify proves or rejects a candidate patch (DESIGN.md §1,
// "verify"). Verify copies the user's repository into throwaway trees (the
// user's tree is only ever read), applies the candidate strictly, and runs
// a fixed sequence of checks: apply, locality, build, api, repro-before,
// repro-after, regression-test, suite, race-stress, neighbours and
// invariants. A candidate is verified only when every check that ran
// passed and the fix is proven by a red→green reproduction or regression
// test; Rank orders the results for the report.
//
// Every command runs through a Runner with a wall-clock limit, a memory
// limit and, where the OS allows, no network (DESIGN.md §6).
package verify
