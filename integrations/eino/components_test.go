package agentopseino_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cloudwego/eino/components/retriever"
	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/components/tool/utils"
	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentops-go/agentops/agentopstest"
	"github.com/agentops-go/agentops/agentopstest/scripted"
	agentopseino "github.com/agentops-go/agentops/integrations/eino"
)

// handbook is a retriever that finds one document whatever the query; as
// most retrievers, it leaves its callbacks to the graph node.
type handbook struct{}

func (handbook) Retrieve(context.Context, string, ...retriever.Option) ([]*schema.Document, error) {
	return []*schema.Document{{ID: "doc-1", Content: "Spans nest by context."}}, nil
}

func TestRetrieverAndLambda(t *testing.T) {
	e := newEnv(t, scripted.Echo, agentopseino.WithSession("eino-rag"))
	r, err := compose.NewChain[string, string]().
		AppendRetriever(handbook{}, compose.WithNodeName("handbook")).
		AppendLambda(compose.InvokableLambda(func(_ context.Context, docs []*schema.Document) (string, error) {
			return fmt.Sprintf("%d document(s)", len(docs)), nil
		}), compose.WithNodeName("count")).
		Compile(context.Background(), compose.WithGraphName("rag"))
	require.NoError(t, err)
	out, err := r.Invoke(context.Background(), "how do spans nest?", compose.WithCallbacks(e.handler))
	require.NoError(t, err)

	spans := e.finish(4)
	workflow := agentopstest.One(t, spans, "rag.workflow")
	retrieval := agentopstest.One(t, spans, "retrieval handbook")
	count := agentopstest.One(t, spans, "count.task")
	agentopstest.RequireChild(t, workflow, retrieval)
	agentopstest.RequireChild(t, workflow, count)
	assert.Equal(t, "retrieval", retrieval.Attributes["agentops.span.kind"])
	assert.Equal(t, "how do spans nest?", retrieval.Attributes["agentops.retrieval.input"])
	assert.JSONEq(t, `[{"id":"doc-1","content":"Spans nest by context.","meta_data":null}]`, fmt.Sprint(retrieval.Attributes["agentops.retrieval.output"]))
	assert.Equal(t, out, count.Attributes["agentops.task.output"])
	assert.Equal(t, "rag", workflow.Attributes["operation.name"])
}

// A tool with a multimodal result (an enhanced tool) records it as JSON.
func TestToolsNodeWithAMultimodalResult(t *testing.T) {
	e := newEnv(t, scripted.Echo)
	chart, err := utils.InferEnhancedTool("chart", "Draws a chart.", func(_ context.Context, in weatherInput) (*schema.ToolResult, error) {
		return &schema.ToolResult{Parts: []schema.ToolOutputPart{{Type: schema.ToolPartTypeText, Text: "a chart of " + in.City}}}, nil
	})
	require.NoError(t, err)
	tools, err := compose.NewToolNode(context.Background(), &compose.ToolsNodeConfig{Tools: []tool.BaseTool{chart}})
	require.NoError(t, err)
	r, err := compose.NewChain[*schema.Message, []*schema.Message]().
		AppendToolsNode(tools, compose.WithNodeName("tools")).
		Compile(context.Background(), compose.WithGraphName("draw"))
	require.NoError(t, err)
	call := schema.AssistantMessage("", []schema.ToolCall{{ID: "call_chart", Type: "function",
		Function: schema.FunctionCall{Name: "chart", Arguments: `{"city":"Porto"}`}}})
	_, err = r.Invoke(context.Background(), call, compose.WithCallbacks(e.handler))
	require.NoError(t, err)

	spans := e.finish(3)
	span := agentopstest.One(t, spans, "execute_tool chart")
	agentopstest.RequireChild(t, agentopstest.One(t, spans, "tools.task"), span)
	assert.Equal(t, "call_chart", span.Attributes["gen_ai.tool.call.id"])
	assert.JSONEq(t, `{"city":"Porto"}`, fmt.Sprint(span.Attributes["tool.parameters"]))
	assert.JSONEq(t, `{"parts":[{"type":"text","text":"a chart of Porto"}]}`, fmt.Sprint(span.Attributes["tool.result"]))
}
