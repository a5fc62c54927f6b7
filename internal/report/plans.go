package report

import (
	"fmt"
	"strings"
)

// Plans returns the rollout and rollback steps for b, one step a string.
// They are deliberately generic where TAG cannot know the deployment and
// specific where the evidence says something: the failing endpoint, the
// incident to watch, how much stress a concurrency fix deserves.
func Plans(b *Bundle, risk Risk) (rollout, rollback []string) {
	watch := fmt.Sprintf("watch incident %s (`tag incidents`, `tag show %s`) for new occurrences", b.Incident, b.Incident)
	if b.Verdict != VerdictVerified {
		rollout = append(rollout, "Do not merge as is: the verifier's verdict is "+verdictText(b.Verdict)+"; see the verification table.")
	}
	rollout = append(rollout, "Review the patch and the regression test; CI runs the test, which failed before the patch.")
	switch risk.Level {
	case RiskHigh:
		rollout = append(rollout, "Deploy behind a feature flag or to a single canary instance first; the change is broad.")
	case RiskMedium:
		rollout = append(rollout, "Deploy to a canary (one instance or a small share of traffic) before the fleet.")
	default:
		rollout = append(rollout, "Deploy with the normal release; a canary is still the cheaper place to be wrong.")
	}
	if risk.Concurrency != "" {
		rollout = append(rollout, "The fix changes concurrency ("+risk.Concurrency+"): keep the canary under production load long enough to see lock contention and goroutine counts settle.")
	}
	rollout = append(rollout, "During the canary, "+watch+", and compare the failing endpoint's error rate and latency with the cohort.")
	if len(risk.API) > 0 {
		rollout = append(rollout, "Exported API changes: check callers outside this repository before release.")
	}
	rollback = []string{
		"Revert the merge commit (`git revert -m 1 <merge>`) or the single fix commit, and redeploy.",
		"The fix is self-contained: `git apply -R patch.diff` from this bundle undoes it on any tree that still has it.",
		"Trigger: any new occurrence of incident " + b.Incident + ", or errors or latency on the patched code paths above the pre-release baseline.",
	}
	if len(risk.API) > 0 {
		rollback = append(rollback, "Callers updated for the new API must be reverted with it.")
	}
	return rollout, rollback
}

func writePlans(sb *strings.Builder, b *Bundle, risk Risk) {
	rollout, rollback := Plans(b, risk)
	for _, sec := range []struct {
		head  string
		steps []string
	}{{SecRollout, rollout}, {SecRollback, rollback}} {
		sb.WriteString(sec.head + "\n\n")
		for i, s := range sec.steps {
			fmt.Fprintf(sb, "%d. %s\n", i+1, s)
		}
		sb.WriteString("\n")
	}
}
