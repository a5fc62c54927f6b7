package llm

import (
	"context"
	"fmt"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// openaiBackend speaks OpenAI's chat completions API, which OpenAI,
// vLLM, Ollama and llama.cpp's server all serve.
type openaiBackend struct {
	client    openai.Client
	model     string
	maxTokens int64
}

func newOpenAI(model string, c conn) *openaiBackend {
	opts := []option.RequestOption{
		option.WithBaseURL(c.baseURL),
		option.WithAPIKey(c.apiKey),
		option.WithMaxRetries(c.retries),
		option.WithMiddleware(guardMiddleware(c.guard, "model:openai:"+model)),
	}
	if c.http != nil {
		opts = append(opts, option.WithHTTPClient(c.http))
	}
	return &openaiBackend{client: openai.NewClient(opts...), model: model, maxTokens: c.maxTokens}
}

func (b *openaiBackend) complete(ctx context.Context, system string, msgs []message, tools []toolSpec) (*reply, error) {
	params := openai.ChatCompletionNewParams{
		Model:               b.model,
		Messages:            b.messages(system, msgs),
		MaxCompletionTokens: openai.Int(b.maxTokens),
		Temperature:         openai.Float(0),
	}
	for _, t := range tools {
		params.Tools = append(params.Tools, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:        t.Name,
			Description: openai.String(t.Description),
			Parameters:  shared.FunctionParameters(t.schema()),
		}))
	}
	ctx, end := beginCall(ctx)
	res, err := b.client.Chat.Completions.New(ctx, params)
	if refused := end(); refused != nil {
		return nil, refused
	}
	if err != nil {
		return nil, fmt.Errorf("llm: openai %s: %w", b.model, err)
	}
	if len(res.Choices) == 0 {
		return nil, fmt.Errorf("llm: openai %s: the response has no choices", b.model)
	}
	ch := res.Choices[0]
	r := &reply{text: ch.Message.Content, stop: ch.FinishReason,
		input: res.Usage.PromptTokens, output: res.Usage.CompletionTokens}
	for _, tc := range ch.Message.ToolCalls {
		if tc.Type != "" && tc.Type != "function" {
			continue
		}
		r.calls = append(r.calls, toolCall{ID: tc.ID, Name: tc.Function.Name, Args: []byte(tc.Function.Arguments)})
	}
	return r, nil
}

func (b *openaiBackend) messages(system string, msgs []message) []openai.ChatCompletionMessageParamUnion {
	out := []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(system)}
	for _, m := range msgs {
		switch {
		case m.assistant:
			a := openai.ChatCompletionAssistantMessageParam{}
			if m.text != "" {
				a.Content.OfString = openai.String(m.text)
			}
			for _, c := range m.calls {
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
						ID:       c.ID,
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: string(c.Args)},
					}})
			}
			out = append(out, openai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		case len(m.results) > 0:
			for _, r := range m.results {
				out = append(out, openai.ToolMessage(r.Content, r.ID))
			}
			if m.text != "" {
				out = append(out, openai.UserMessage(m.text))
			}
		default:
			out = append(out, openai.UserMessage(m.text))
		}
	}
	return out
}
