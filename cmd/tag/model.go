package main

import (
	"github.com/tagdebug/tag/internal/repair"
	"github.com/tagdebug/tag/internal/repair/llm"
)

// newModelProposer builds the LLM proposer for a model spec
// (openai:<model> or anthropic:<model>); base URL and key come from the
// provider's environment variables (OPENAI_BASE_URL / OPENAI_API_KEY,
// ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY).
func newModelProposer(spec string) (repair.Proposer, error) {
	return llm.New(spec, llm.Options{})
}
