package llm

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// turn plays one model turn: it sees the decoded request and returns the
// response body.
type turn func(t *testing.T, req map[string]any) any

// fakeModel is a loopback server speaking one model API's wire protocol
// (OpenAI chat completions or Anthropic messages) and playing scripted
// turns. It records every request body it receives.
type fakeModel struct {
	t      *testing.T
	srv    *httptest.Server
	path   string
	key    string
	mu     sync.Mutex
	script []turn
	bodies [][]byte
}

func newFakeModel(t *testing.T, path string, script ...turn) *fakeModel {
	t.Helper()
	m := &fakeModel{t: t, path: path, key: fakeKey(t), script: script}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

// fakeKey is an API key made at test time that no detector takes for a
// real one.
func fakeKey(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "test-key-" + hex.EncodeToString(b)
}

func (m *fakeModel) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	m.bodies = append(m.bodies, body)
	n := len(m.bodies)
	m.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != m.path {
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		m.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		return
	}
	auth := r.Header.Get("Authorization") + r.Header.Get("X-Api-Key")
	if !strings.Contains(auth, m.key) {
		m.t.Errorf("request %d: key not sent (headers %v)", n, r.Header)
	}
	if n > len(m.script) {
		m.t.Errorf("request %d: the script has only %d turns", n, len(m.script))
		http.Error(w, "script over", http.StatusBadRequest)
		return
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		m.t.Errorf("request %d: body is not JSON: %v", n, err)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(m.script[n-1](m.t, req))
}

func (m *fakeModel) requests() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.bodies...)
}

// assertNoSecrets checks that no request carried a planted secret, in
// the raw body or in any JSON string of it.
func (m *fakeModel) assertNoSecrets(t *testing.T, secrets []string) {
	t.Helper()
	for i, b := range m.requests() {
		var v any
		_ = json.Unmarshal(b, &v)
		text := string(b) + "\n" + strings.Join(jsonStrings(v), "\n")
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("request %d carried a planted secret (%d bytes)", i+1, len(s))
			}
		}
	}
}

func jsonStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}

// OpenAI chat completions responses.

func oaToolCalls(calls ...[2]string) turn {
	return func(*testing.T, map[string]any) any {
		var tc []any
		for i, c := range calls {
			tc = append(tc, map[string]any{"id": fmt.Sprintf("call_%d", i+1), "type": "function",
				"function": map[string]any{"name": c[0], "arguments": c[1]}})
		}
		return oaCompletion(map[string]any{"role": "assistant", "content": nil, "tool_calls": tc}, "tool_calls")
	}
}

func oaText(text string) turn {
	return func(*testing.T, map[string]any) any {
		return oaCompletion(map[string]any{"role": "assistant", "content": text}, "stop")
	}
}

func oaCompletion(msg map[string]any, finish string) map[string]any {
	return map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": "qwen2.5-coder",
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish, "logprobs": nil}},
		"usage":   map[string]any{"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
	}
}

// Anthropic messages responses.

func anToolUse(calls ...[2]string) turn {
	return func(*testing.T, map[string]any) any {
		var content []any
		for i, c := range calls {
			var input any
			_ = json.Unmarshal([]byte(c[1]), &input)
			content = append(content, map[string]any{"type": "tool_use", "id": fmt.Sprintf("toolu_%d", i+1), "name": c[0], "input": input})
		}
		return anMessage(content, "tool_use")
	}
}

func anText(text string) turn {
	return func(*testing.T, map[string]any) any {
		return anMessage([]any{map[string]any{"type": "text", "text": text}}, "end_turn")
	}
}

func anMessage(content []any, stop string) map[string]any {
	return map[string]any{
		"id": "msg_test", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
		"content": content, "stop_reason": stop, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 2000, "output_tokens": 300},
	}
}

// then runs check on the request before answering with next.
func then(check func(t *testing.T, req map[string]any), next turn) turn {
	return func(t *testing.T, req map[string]any) any {
		check(t, req)
		return next(t, req)
	}
}

func args(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
