// Package normalize reads what a span stands for out of its attributes,
// whichever vocabulary wrote them, into model.Derived: the one shape the
// store indexes, the API serves and the dashboard shows.
//
// Spans reach the local backend from this SDK, which writes the AgentOps
// keys and the OpenTelemetry GenAI v1.41 keys side by side (SEMCONV.md),
// from AgentOps SDKs in other languages, and from any OTel instrumentation
// pointed at it: OpenInference (Phoenix), Traceloop/OpenLLMetry, plain
// HTTP and database spans. [Normalizer.Span] runs on every ingested span,
// so it reads the attributes in one pass, allocates little, and never
// panics on attribute shapes it does not expect.
//
// # Class
//
// The first rule that applies decides model.Derived.Class:
//
//  1. agentops.span.kind: session, agent, tool, llm, task, workflow,
//     guardrail, retrieval, chain, operation (an "llm" span whose
//     gen_ai.operation.name is "embeddings" is an embedding);
//  2. gen_ai.operation.name: chat, text_completion, generate_content → llm;
//     embeddings → embedding; execute_tool → tool; invoke_agent,
//     create_agent → agent; retrieval → retrieval;
//  3. openinference.span.kind: LLM, EMBEDDING, TOOL, AGENT, CHAIN,
//     RETRIEVER and RERANKER (retrieval), GUARDRAIL and EVALUATOR
//     (guardrail);
//  4. traceloop.span.kind: workflow, task, agent, tool;
//  5. OpenLLMetry's gen_ai.request.type or llm.request.type (chat,
//     completion → llm; embedding → embedding), then any span naming a
//     model (gen_ai.response.model, gen_ai.request.model, llm.model_name)
//     → llm;
//  6. an http.* attribute or url.full → http; a db.* attribute → db;
//  7. a root span named "{name}.session" → session;
//  8. otherwise other.
//
// Values are matched case-insensitively. Operation is
// gen_ai.operation.name, else the GenAI operation of the class (chat or
// text_completion, embeddings, execute_tool, invoke_agent, retrieval),
// else empty.
//
// # Promoted fields
//
// Each field takes the first key present, in this order:
//
//	Model     gen_ai.response.model, gen_ai.request.model, llm.model_name
//	Provider  gen_ai.provider.name; gen_ai.system, llm.provider, llm.system (lower-cased)
//	Tool      gen_ai.tool.name, tool.name
//	input     gen_ai.usage.input_tokens, gen_ai.usage.prompt_tokens, llm.token_count.prompt
//	output    gen_ai.usage.output_tokens, gen_ai.usage.completion_tokens, llm.token_count.completion
//	cache read      gen_ai.usage.cache_read.input_tokens, gen_ai.usage.cache_read_input_tokens,
//	                llm.token_count.prompt_details.cache_read
//	cache creation  gen_ai.usage.cache_creation.input_tokens, gen_ai.usage.cache_creation_input_tokens,
//	                llm.token_count.prompt_details.cache_write
//	reasoning gen_ai.usage.reasoning.output_tokens, gen_ai.usage.reasoning_tokens,
//	          llm.token_count.completion_details.reasoning
//	TTFT      gen_ai.response.time_to_first_chunk, gen_ai.streaming.time_to_first_token (seconds)
//	Input     agentops.{kind}.input of the span's own kind, agentops.entity.input,
//	          agentops.{other}.input (the least kind), tool.parameters,
//	          gen_ai.tool.call.arguments, input.value, traceloop.entity.input
//	Output    the same with output, tool.result, gen_ai.tool.call.result, output.value
//
// Numbers may arrive as int64, float64 or numeric strings; negative,
// non-finite and unparsable values are ignored. Label is the tool name of
// a tool, the agent name (gen_ai.agent.name, agent.name) of an agent, the
// model of an LLM or embedding call, the session name of a session, and
// otherwise (or when that is empty) the span name.
//
// # Cost
//
// A span's own gen_ai.usage.total_cost (or OpenInference's llm.cost.total)
// wins: CostSource "span". Otherwise, when the span has token counts, the
// price table prices them under the response model, else the request
// model, else llm.model_name: CostSource "table". Otherwise Cost is 0 and
// CostSource "".
//
// # Errors and sessions
//
// A span failed when its status is error or it has an "exception" event;
// ErrorType is then error.type, else the event's exception.type, else
// "error". Spans of class session also get SessionName (operation.name,
// else the span name without ".session") and EndState
// (agentops.session.end_state: Success, Error or Indeterminate, with the
// legacy "Fail" and "Failure" read as Error; without one, status ok means
// Success, error means Error, and anything else Indeterminate). Tags come
// from agentops.tags on any span: a string array, or a string holding a
// JSON array or a comma-separated list.
//
// # Messages
//
// Messages are the call's input then its output, in order, numbered from
// 0 within each direction. Each direction is read from the first of these
// forms the span has, so a span that carries two forms is not shown twice:
//
//   - the AgentOps flat keys gen_ai.prompt.{i}.role|content|tool_call_id,
//     gen_ai.prompt.{i}.tool_calls.{j}.id|name|arguments and
//     gen_ai.completion.{i}.role|content|finish_reason|refusal (+ tool
//     calls); indices may have gaps and arrive in any order (an index
//     with a leading zero is not one);
//   - the OTel GenAI JSON gen_ai.input.messages and gen_ai.output.messages
//     (parts text, tool_call, tool_call_response, refusal), with
//     gen_ai.system_instructions as a first system message; a value that
//     is not JSON becomes one message of plain text, not nothing;
//   - the OpenInference flat keys llm.input_messages.{i}.message.role|
//     content|contents.{k}.message_content.text|tool_calls.{j}.tool_call.
//     id|function.name|function.arguments, and llm.output_messages.
//
// Reasoning parts are not kept: model.Message has no field for them.
package normalize
