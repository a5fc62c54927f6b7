package llm

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/repair"
)

// Defaults of Options.
const (
	DefaultMaxAttempts = 3
	DefaultMaxTurns    = 8
	DefaultMaxTokens   = 4096
	DefaultBudget      = 12000
	DefaultTestTimeout = 2 * time.Minute
)

// Default API endpoints when neither Options nor the environment name one.
const (
	defaultOpenAIURL    = "https://api.openai.com/v1/"
	defaultAnthropicURL = "https://api.anthropic.com/"
)

// Options configure a Proposer. The zero value works: endpoints and keys
// come from the environment, the redaction engine and guard from the
// built-in policy, tests run with `go test` in a temporary copy.
type Options struct {
	// BaseURL is the API endpoint; empty means OPENAI_BASE_URL or
	// ANTHROPIC_BASE_URL, else the provider's public API.
	BaseURL string
	// APIKey is the API key; empty means OPENAI_API_KEY or
	// ANTHROPIC_API_KEY. A local server that wants none may go without.
	APIKey string
	// MaxAttempts bounds the patches one Propose call asks for: each
	// rejected patch is an attempt, and its reason goes back to the model.
	MaxAttempts int
	// MaxTurns bounds the tool-calling turns within one attempt.
	MaxTurns int
	// MaxTokens bounds one model reply.
	MaxTokens int64
	// Budget is the prompt's evidence budget in (estimated) tokens.
	Budget int
	// Redactor scrubs everything put in a prompt or a tool result; nil
	// means an engine over the built-in policy.
	Redactor TextRedactor
	// Guard checks every request before it is sent; nil means a guard
	// over the built-in policy.
	Guard *redact.Guard
	// TestRunner runs the repository's tests for the run_tests tool; nil
	// means GoTestRunner with DefaultTestTimeout.
	TestRunner TestRunner
	// Replayer replays the incident for the run_replay tool; nil means
	// replay is unavailable.
	Replayer Replayer
	// Prices extends DefaultPrices.
	Prices map[string]Price
	// HTTPClient sends the requests; nil means the SDK's default.
	HTTPClient *http.Client
	// Retries is the SDK's retry count for transient errors (429, 5xx);
	// zero means 2, negative means none.
	Retries int
}

// conn is what a backend needs to reach its API.
type conn struct {
	baseURL, apiKey string
	retries         int
	maxTokens       int64
	guard           *redact.Guard
	http            *http.Client
}

// Proposer is the LLM patch proposer: an agent loop over a model API
// with tools over the incident's evidence and repository.
type Proposer struct {
	spec  Spec
	opts  Options
	model backend
	price Price

	mu       sync.Mutex
	attempts []repair.Usage
}

// New returns a proposer for a model spec ("openai:<model>" or
// "anthropic:<model>").
func New(spec string, opts Options) (*Proposer, error) {
	s, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	opts = withDefaults(opts)
	if opts.Redactor == nil || opts.Guard == nil {
		e, err := builtinEngine()
		if err != nil {
			return nil, err
		}
		if opts.Redactor == nil {
			opts.Redactor = e
		}
		if opts.Guard == nil {
			opts.Guard = redact.NewGuard(e, nil)
		}
	}
	c, err := connect(s, opts)
	if err != nil {
		return nil, err
	}
	p := &Proposer{spec: s, opts: opts, price: priceOf(opts.Prices, s.Model)}
	if s.Provider == ProviderOpenAI {
		p.model = newOpenAI(s.Model, c)
	} else {
		p.model = newAnthropic(s.Model, c)
	}
	return p, nil
}

func withDefaults(o Options) Options {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.MaxTurns <= 0 {
		o.MaxTurns = DefaultMaxTurns
	}
	if o.MaxTokens <= 0 {
		o.MaxTokens = DefaultMaxTokens
	}
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.TestRunner == nil {
		o.TestRunner = GoTestRunner(DefaultTestTimeout)
	}
	if o.Replayer == nil {
		o.Replayer = noReplay
	}
	switch {
	case o.Retries == 0:
		o.Retries = 2
	case o.Retries < 0:
		o.Retries = 0
	}
	return o
}

// builtinEngine is a redaction engine over the built-in policy. Its key
// only salts tokens that never leave this process, so a fresh one will do.
func builtinEngine() (*redact.Engine, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return redact.New(nil, key)
}

// ErrNoKey is returned by New for a hosted API with no key configured.
var ErrNoKey = errors.New("llm: no API key")

func connect(s Spec, o Options) (conn, error) {
	urlEnv, keyEnv, def := "OPENAI_BASE_URL", "OPENAI_API_KEY", defaultOpenAIURL
	if s.Provider == ProviderAnthropic {
		urlEnv, keyEnv, def = "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", defaultAnthropicURL
	}
	c := conn{baseURL: o.BaseURL, apiKey: o.APIKey, retries: o.Retries, maxTokens: o.MaxTokens, guard: o.Guard, http: o.HTTPClient}
	if c.baseURL == "" {
		c.baseURL = os.Getenv(urlEnv)
	}
	if c.apiKey == "" {
		c.apiKey = os.Getenv(keyEnv)
	}
	if c.baseURL == "" {
		c.baseURL = def
		if c.apiKey == "" {
			return conn{}, fmt.Errorf("%w for %s: set %s, or %s for a local server", ErrNoKey, s, keyEnv, urlEnv)
		}
	}
	if c.apiKey == "" {
		// Local servers ignore the key, but the SDKs want one.
		c.apiKey = "no-key"
	}
	return c, nil
}

// Name is the model spec, as `tag fix --model` spells it.
func (p *Proposer) Name() string { return p.spec.String() }

// Attempts returns the token usage and cost of every attempt made so
// far, in order.
func (p *Proposer) Attempts() []repair.Usage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]repair.Usage(nil), p.attempts...)
}

func (p *Proposer) record(u repair.Usage) {
	p.mu.Lock()
	p.attempts = append(p.attempts, u)
	p.mu.Unlock()
}

var _ repair.Proposer = (*Proposer)(nil)
