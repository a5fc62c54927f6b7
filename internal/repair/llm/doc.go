// Package llm is TAG's model-backed patch proposer (DESIGN.md §1,
// "repair"): an agent loop over a chat model with tools over the
// incident's evidence and repository. `tag fix INCIDENT --model M` uses it
// for M = openai:<model> or anthropic:<model>.
//
// # Backends
//
// openai:<model> speaks OpenAI's chat completions API (POST
// /chat/completions with function tools) through openai-go, so it also
// drives any server that serves that API: OpenAI itself, Ollama, the
// llama.cpp server and vLLM. anthropic:<model> speaks Anthropic's
// messages API through anthropic-sdk-go. The endpoint and key come from
// Options, else from OPENAI_BASE_URL / OPENAI_API_KEY or
// ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY. A hosted endpoint needs a key;
// a local one (a base URL is set) may go without. For a model on this
// machine:
//
//	# Ollama (ollama pull qwen2.5-coder first)
//	OPENAI_BASE_URL=http://localhost:11434/v1 tag fix INC --repo . --model openai:qwen2.5-coder
//	# llama.cpp: llama-server -m model.gguf --port 8080 --jinja  (--jinja enables tool calls)
//	OPENAI_BASE_URL=http://localhost:8080/v1 tag fix INC --repo . --model openai:local
//	# vLLM: vllm serve Qwen/Qwen2.5-Coder-7B-Instruct --enable-auto-tool-choice --tool-call-parser hermes
//	OPENAI_BASE_URL=http://localhost:8000/v1 tag fix INC --repo . --model openai:Qwen/Qwen2.5-Coder-7B-Instruct
//
// The model must support tool (function) calling; a model that ignores
// the tools can still answer with fenced diffs.
//
// # The prompt
//
// The system prompt holds every instruction: the constraints (minimal
// diff, stay inside the implicated functions, keep public APIs stable, do
// not widen visibility) and the answer's form. The first user turn holds
// the evidence, each section fenced and labelled untrusted-evidence:
// project (languages and build system from the files), failure (endpoint,
// error, trace ID), ranked candidates, code around them with line
// numbers, the critical path, lock and heap facts, the results of a few
// slice-language queries, the evidence chain, the captured inputs and
// any verifier feedback. Sections are condensed to Options.Budget tokens
// (estimated as bytes/4: an exact BPE count would need vocabulary files
// downloaded at run time), each saying how much it left out ("… 37 more
// spans omitted").
//
// # Tools
//
// query_epg runs the slice language on the incident's graph, as `tag
// query` does. fetch_code reads a repository file with line numbers,
// refusing absolute paths, .. escapes, symlinks out of the repository,
// .git and files over 1 MiB. run_tests runs a package's tests through
// Options.TestRunner (default: go test in a temporary copy, with a
// timeout and the module proxy off); run_replay calls Options.Replayer
// (default: "replay unavailable"). propose_patch ends the task.
//
// # Safety (DESIGN.md §6)
//
// Everything put in a prompt or a tool result is scrubbed with the
// redaction engine first, and every request body passes the egress guard
// in the SDK's HTTP middleware, on the bytes that would go on the wire: a
// request that still matches a secret detector is refused and nothing is
// sent (ErrNotSent, redact.ErrEgressBlocked). Evidence is quoted as data;
// the model's instructions come only from TAG.
//
// # Answers
//
// The answer is a fix and a regression test as unified diffs, from a
// propose_patch call or fenced ```diff blocks. A diff is read, confined to
// the repository, rendered canonically and then parsed and applied in
// memory by go-gitdiff, strictly. Obvious malformations are repaired and
// noted in the candidate's Why: missing a/ b/ prefixes, hunk counts that
// disagree with the hunk body, blank context lines that lost their space,
// trailing white space lost on context lines, and a hunk at the wrong line
// whose old lines occur exactly once in the file. Anything else is
// rejected with the reason, which goes back to the model for another
// attempt, up to Options.MaxAttempts. Verifier feedback in the request
// goes into the first turn.
//
// # Usage and cost
//
// Token usage is counted per attempt from the API's usage fields
// (Proposer.Attempts) and summed on the candidate. Cost uses a small
// table of list prices per million tokens (DefaultPrices, matched by the
// longest model-name prefix, extended by Options.Prices); models not in
// it, which includes every local model, cost zero.
package llm
