package llm

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
)

// anthropicBackend speaks Anthropic's messages API.
type anthropicBackend struct {
	client    anthropic.Client
	model     string
	maxTokens int64
}

func newAnthropic(model string, c conn) *anthropicBackend {
	opts := []option.RequestOption{
		option.WithBaseURL(c.baseURL),
		option.WithAPIKey(c.apiKey),
		option.WithMaxRetries(c.retries),
		option.WithMiddleware(guardMiddleware(c.guard, "model:anthropic:"+model)),
	}
	if c.http != nil {
		opts = append(opts, option.WithHTTPClient(c.http))
	}
	return &anthropicBackend{client: anthropic.NewClient(opts...), model: model, maxTokens: c.maxTokens}
}

func (b *anthropicBackend) complete(ctx context.Context, system string, msgs []message, tools []toolSpec) (*reply, error) {
	params := anthropic.MessageNewParams{
		Model:       anthropic.Model(b.model),
		MaxTokens:   b.maxTokens,
		System:      []anthropic.TextBlockParam{{Text: system}},
		Messages:    b.messages(msgs),
		Temperature: anthropic.Float(0),
	}
	for _, t := range tools {
		params.Tools = append(params.Tools, anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{
			Name:        t.Name,
			Description: anthropic.String(t.Description),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: t.Properties, Required: t.Required},
		}})
	}
	ctx, end := beginCall(ctx)
	res, err := b.client.Messages.New(ctx, params)
	if refused := end(); refused != nil {
		return nil, refused
	}
	if err != nil {
		return nil, fmt.Errorf("llm: anthropic %s: %w", b.model, err)
	}
	r := &reply{stop: string(res.StopReason), input: res.Usage.InputTokens, output: res.Usage.OutputTokens}
	for _, blk := range res.Content {
		switch blk.Type {
		case "text":
			r.text += blk.Text
		case "tool_use":
			r.calls = append(r.calls, toolCall{ID: blk.ID, Name: blk.Name, Args: blk.Input})
		}
	}
	return r, nil
}

func (b *anthropicBackend) messages(msgs []message) []anthropic.MessageParam {
	var out []anthropic.MessageParam
	for _, m := range msgs {
		var blocks []anthropic.ContentBlockParamUnion
		if m.assistant {
			if m.text != "" {
				blocks = append(blocks, anthropic.NewTextBlock(m.text))
			}
			for _, c := range m.calls {
				var input any = json.RawMessage(c.Args)
				if !json.Valid(c.Args) {
					input = map[string]any{}
				}
				blocks = append(blocks, anthropic.NewToolUseBlock(c.ID, input, c.Name))
			}
			if len(blocks) == 0 {
				// The API refuses an empty turn; an empty reply still
				// happened and the rejection that follows refers to it.
				blocks = append(blocks, anthropic.NewTextBlock("(empty reply)"))
			}
			out = append(out, anthropic.NewAssistantMessage(blocks...))
			continue
		}
		for _, r := range m.results {
			blocks = append(blocks, anthropic.NewToolResultBlock(r.ID, r.Content, r.IsError))
		}
		if m.text != "" {
			blocks = append(blocks, anthropic.NewTextBlock(m.text))
		}
		out = append(out, anthropic.NewUserMessage(blocks...))
	}
	return out
}
