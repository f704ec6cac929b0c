package chatmodel

import (
	"bytes"
	"context"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/agentopstest/scripted"
)

func TestWithoutAKeyTheModelIsScriptedAndSaysSo(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_MODEL", "")
	var notices bytes.Buffer
	m, err := Open(scripted.Echo, &notices)
	require.NoError(t, err)
	defer m.Close()
	assert.True(t, m.Scripted)
	assert.Equal(t, DefaultModel, m.Name)
	assert.Contains(t, notices.String(), "SCRIPTED")
	assert.Len(t, m.Options(), 1, "the scripted provider is named on the spans")

	resp, err := goopenai.NewClientWithConfig(m.ClientConfig()).CreateChatCompletion(context.Background(), goopenai.ChatCompletionRequest{
		Model: m.Name, Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "scripted reply to: hi", resp.Choices[0].Message.Content)
}

func TestWithAKeyTheModelIsTheProvider(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test")
	t.Setenv("OPENAI_BASE_URL", "https://llm.example.com/v1")
	t.Setenv("OPENAI_MODEL", "gpt-4.1")
	var notices bytes.Buffer
	m, err := Open(scripted.Echo, &notices)
	require.NoError(t, err)
	defer m.Close()
	assert.False(t, m.Scripted)
	assert.Equal(t, "gpt-4.1", m.Name)
	assert.Equal(t, "https://llm.example.com/v1", m.ClientConfig().BaseURL)
	assert.Empty(t, m.Options(), "the provider comes from the base URL")
	assert.Contains(t, notices.String(), "real calls")
	assert.NotContains(t, notices.String(), "sk-test", "the key is never printed")
}
