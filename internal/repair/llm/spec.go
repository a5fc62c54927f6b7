package llm

import (
	"fmt"
	"strings"
)

// Providers a model spec may name.
const (
	ProviderOpenAI    = "openai"
	ProviderAnthropic = "anthropic"
)

// Spec is a parsed `tag fix --model` value: "openai:<model>" (any server
// that speaks OpenAI's chat completions) or "anthropic:<model>".
type Spec struct {
	Provider string
	Model    string
}

// String returns the spec as `--model` spells it.
func (s Spec) String() string { return s.Provider + ":" + s.Model }

// ParseSpec parses a model spec.
func ParseSpec(spec string) (Spec, error) {
	p, m, ok := strings.Cut(strings.TrimSpace(spec), ":")
	if !ok || m == "" {
		return Spec{}, fmt.Errorf("llm: model %q: want openai:<model> or anthropic:<model>", spec)
	}
	switch p = strings.ToLower(p); p {
	case ProviderOpenAI, ProviderAnthropic:
		return Spec{Provider: p, Model: m}, nil
	}
	return Spec{}, fmt.Errorf("llm: model %q: unknown provider %q (want openai or anthropic)", spec, p)
}

// Price is a model's list price in US dollars per million tokens.
type Price struct {
	InputPerMTok  float64
	OutputPerMTok float64
}

// Cost is the price of a number of input and output tokens.
func (p Price) Cost(in, out int64) float64 {
	return (float64(in)*p.InputPerMTok + float64(out)*p.OutputPerMTok) / 1e6
}

// DefaultPrices are list prices (USD per million tokens) of a few hosted
// models, matched by the longest model-name prefix. They are estimates for
// the cost column of a fix report, not a bill: override or extend them
// with Options.Prices. A model with no entry (every local model served by
// Ollama, llama.cpp or vLLM) costs zero.
var DefaultPrices = map[string]Price{
	"gpt-4o-mini":       {0.15, 0.60},
	"gpt-4o":            {2.50, 10},
	"gpt-4.1-nano":      {0.10, 0.40},
	"gpt-4.1-mini":      {0.40, 1.60},
	"gpt-4.1":           {2, 8},
	"o4-mini":           {1.10, 4.40},
	"claude-3-5-haiku":  {0.80, 4},
	"claude-haiku-4":    {1, 5},
	"claude-3-5-sonnet": {3, 15},
	"claude-3-7-sonnet": {3, 15},
	"claude-sonnet-4":   {3, 15},
	"claude-opus-4":     {15, 75},
}

// priceOf finds model's price in table (then DefaultPrices) by the
// longest prefix; zero when none matches.
func priceOf(table map[string]Price, model string) Price {
	for _, t := range []map[string]Price{table, DefaultPrices} {
		best, found := "", Price{}
		for prefix, p := range t {
			if strings.HasPrefix(model, prefix) && len(prefix) > len(best) {
				best, found = prefix, p
			}
		}
		if best != "" {
			return found
		}
	}
	return Price{}
}
