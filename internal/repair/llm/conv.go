package llm

import (
	"context"
	"encoding/json"
)

// message is one turn of a provider-neutral conversation. A user turn
// carries text or tool results; an assistant turn carries text and tool
// calls.
type message struct {
	assistant bool
	text      string
	calls     []toolCall
	results   []toolResult
}

// toolCall is the model asking for a tool.
type toolCall struct {
	ID   string
	Name string
	Args json.RawMessage
}

// toolResult answers one toolCall.
type toolResult struct {
	ID      string
	Name    string
	Content string
	IsError bool
}

// reply is one model turn with its token usage.
type reply struct {
	text   string
	calls  []toolCall
	stop   string
	input  int64
	output int64
}

// toolSpec describes a tool to the model: a JSON Schema object for its
// arguments.
type toolSpec struct {
	Name        string
	Description string
	Properties  map[string]any
	Required    []string
}

// backend is one model API. complete sends the system prompt, the
// conversation and the tools, and returns the model's next turn. The
// request passes the egress guard inside the backend's HTTP middleware, so
// what is checked is what would go on the wire.
type backend interface {
	complete(ctx context.Context, system string, msgs []message, tools []toolSpec) (*reply, error)
}
