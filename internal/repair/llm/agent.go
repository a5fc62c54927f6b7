package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tagdebug/tag/internal/repair"
)

// ErrNoPatch is wrapped by Propose's error when the model gave no
// acceptable patch within Options.MaxAttempts; the error carries the last
// rejection.
var ErrNoPatch = errors.New("llm: no acceptable patch")

// session is one Propose call.
type session struct {
	p    *Proposer
	req  *repair.Request
	repo *repo
	msgs []message
}

func (s *session) scrub(text string) string { return s.p.opts.Redactor.RedactText(text) }

// Propose runs the agent loop: evidence in the first turn, tool calls
// answered until the model proposes a patch, each proposal checked
// strictly and its rejection sent back, up to Options.MaxAttempts
// proposals. It returns at most one candidate. A request the egress guard
// refuses is an error wrapping ErrNotSent and redact.ErrEgressBlocked;
// nothing of it was sent.
func (p *Proposer) Propose(ctx context.Context, req *repair.Request) ([]repair.Candidate, error) {
	if req == nil || req.Repo == "" {
		return nil, errors.New("llm: the request names no repository")
	}
	r, err := openRepo(req.Repo)
	if err != nil {
		return nil, err
	}
	s := &session{p: p, req: req, repo: r}
	s.msgs = []message{{text: s.userPrompt()}}
	var total repair.Usage
	last := ""
	for attempt := 1; attempt <= p.opts.MaxAttempts; attempt++ {
		u := repair.Usage{Attempt: attempt}
		cand, reason, err := s.attempt(ctx, &u)
		u.CostUSD = p.price.Cost(u.InputTokens, u.OutputTokens)
		p.record(u)
		total.Attempt = attempt
		total.InputTokens += u.InputTokens
		total.OutputTokens += u.OutputTokens
		total.CostUSD += u.CostUSD
		if err != nil {
			return nil, err
		}
		if cand != nil {
			cand.Why += feedbackSummary(req.Feedback)
			cand.Usage = &total
			return []repair.Candidate{*cand}, nil
		}
		last = reason
		s.say(rejection(reason))
	}
	return []repair.Candidate{}, fmt.Errorf("%w after %d attempts; the last was rejected: %s", ErrNoPatch, p.opts.MaxAttempts, last)
}

// say adds TAG's text to the conversation, joining it to a pending user
// turn (tool results) so that user and assistant turns alternate.
func (s *session) say(text string) {
	if n := len(s.msgs); n > 0 && !s.msgs[n-1].assistant {
		if s.msgs[n-1].text != "" {
			text = s.msgs[n-1].text + "\n\n" + text
		}
		s.msgs[n-1].text = text
		return
	}
	s.msgs = append(s.msgs, message{text: text})
}

// attempt talks with the model until it proposes a patch or runs out of
// tool turns. It returns the accepted candidate, or the reason the
// proposal was rejected.
func (s *session) attempt(ctx context.Context, u *repair.Usage) (*repair.Candidate, string, error) {
	for turn := 1; ; turn++ {
		r, err := s.p.model.complete(ctx, systemPrompt, s.msgs, tools)
		if err != nil {
			return nil, "", err
		}
		u.InputTokens += r.input
		u.OutputTokens += r.output
		s.msgs = append(s.msgs, message{assistant: true, text: r.text, calls: r.calls})
		if len(r.calls) == 0 {
			cand, err := proposal{diffs: diffBlocks(r.text), why: whyLine(r.text)}.candidate(s.repo, s.p.spec.Model)
			if err != nil {
				return nil, err.Error(), nil
			}
			return cand, "", nil
		}
		results := message{}
		var rejected string
		for _, c := range r.calls {
			if c.Name != toolPropose {
				results.results = append(results.results, s.runTool(ctx, c))
				continue
			}
			cand, err := s.proposeCall(c)
			if err == nil {
				return cand, "", nil
			}
			rejected = err.Error()
			results.results = append(results.results, toolResult{ID: c.ID, Name: c.Name, Content: s.scrub(err.Error()), IsError: true})
		}
		s.msgs = append(s.msgs, results)
		if rejected != "" {
			return nil, rejected, nil
		}
		switch {
		case turn == s.p.opts.MaxTurns:
			s.say("That was the last tool turn: answer now with the fix and the regression test.")
		case turn > s.p.opts.MaxTurns:
			return nil, fmt.Sprintf("no patch after %d tool turns", turn), nil
		}
	}
}

// proposeCall checks a propose_patch call.
func (s *session) proposeCall(c toolCall) (*repair.Candidate, error) {
	var a struct {
		Patch    string `json:"patch"`
		Test     string `json:"test"`
		TestName string `json:"test_name"`
		Why      string `json:"why"`
	}
	if err := json.Unmarshal(c.Args, &a); err != nil {
		return nil, rejectf("propose_patch arguments are not a JSON object: %v", err)
	}
	return proposal{diffs: []string{a.Patch, a.Test}, testName: a.TestName, why: a.Why}.candidate(s.repo, s.p.spec.Model)
}
