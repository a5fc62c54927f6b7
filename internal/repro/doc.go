// Package repro turns a recorded failure into a reproduction that runs in
// a throwaway place: a copy of the repository or a directory of recorded
// files, with a wall-clock limit, a memory limit and no outbound network
// where the OS allows it (DESIGN.md §6).
//
// Drivers, each returning a [Result]:
//   - capsule replay of Go SDK capsules (capsule*.go);
//   - [Stress], which reruns a Go test under the race detector across CPU
//     counts and reports how often a race, deadlock or leak comes back;
//   - [Replay] of a [ProcessCapsule], any language: a command with its
//     files, environment, stdin and recorded network responses, written
//     by [Record];
//   - [RecordRR], an rr recording where the machine allows it ([DetectRR]
//     says why not in one line otherwise).
//
// Isolation is unprivileged and cgroup-free: the command runs in its own
// process group (killed as a whole on expiry), under RLIMIT_AS, inside a
// new user+network namespace whose only interface is loopback. The
// namespace and the limit are set up by re-executing the current binary
// as a small helper (see [Sandbox.Run]); any binary that links this
// package can act as that helper.
package repro
