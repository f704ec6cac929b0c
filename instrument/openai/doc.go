// Package openai records the calls an agent makes to OpenAI, and to any
// API that speaks OpenAI's wire format (Azure OpenAI, Groq, Mistral,
// DeepSeek, OpenRouter, Ollama, vLLM, a company gateway), as agentops LLM
// spans: one span per call, named "{operation} {model}" ("chat
// gpt-4o-mini", "embeddings text-embedding-3-small", "text_completion
// gpt-3.5-turbo-instruct"), a child of whatever span the call's context
// carries, usually a session's or an agent's.
//
// The package only translates: go-openai's types and OpenAI's JSON become
// an agentops.LLMRequest and an agentops.LLMResponse, and the root
// package's StartLLM and LLMSpan write every attribute (in both the
// AgentOps and the OpenTelemetry GenAI vocabularies), apply the content
// capture and redaction settings, and record the gen_ai.client.* metrics.
//
// # The typed client
//
// For programs that use github.com/sashabaranov/go-openai, NewClient is
// goopenai.NewClientWithConfig with recording:
//
//	client := openai.NewClient(goopenai.DefaultConfig(os.Getenv("OPENAI_API_KEY")))
//	ctx, sess := agentops.StartSession(ctx, "support-bot")
//	resp, err := client.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
//		Model:    goopenai.GPT4oMini,
//		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: question}},
//	})
//
// Wrap does the same for a goopenai.Client built elsewhere; give it
// WithBaseURL when that client does not talk to api.openai.com, so that
// gen_ai.provider.name and server.address say where the call went. Every
// method of go-openai's Client remains available; the chat, completion and
// embeddings methods are recorded. The caller's request is never changed,
// nor anything it points to, and the caller gets go-openai's result and
// error exactly as go-openai returned them. A failed call (an
// *goopenai.APIError or *goopenai.RequestError) records its HTTP status
// code as error.type.
//
// # Streams
//
// CreateChatCompletionStream and CreateCompletionStream return streams
// whose span ends exactly once: at the end of the stream, on an error, on
// Close (early, without an error: stopping is the caller's choice), when
// the request's context ends (as "canceled"), or, for a stream dropped
// without Close, when the garbage collector finds it. Each chunk counts
// toward the time to first chunk (from when the request was issued) and
// the time per output chunk; content and tool calls are assembled by index,
// each choice on its own; token usage is recorded when the caller asked for
// it with StreamOptions.IncludeUsage (the wrapper never adds it to the
// request).
//
// # Any OpenAI-compatible client
//
// NewTransport records at the HTTP level, for code that does not use
// go-openai's typed client: an LLM wrapper of your own, a framework's
// provider, another SDK that accepts an *http.Client.
//
//	hc := &http.Client{Transport: openai.NewTransport(http.DefaultTransport)}
//
// It reads the JSON of requests to /chat/completions, /completions and
// /embeddings, restores it, and ends the span as the caller reads the
// answer, parsing event streams line by line as they are read, never
// buffering them. InstrumentConfig installs it in a goopenai.ClientConfig.
// When a Client from NewClient or Wrap makes the call, the transport sees
// its span in the request's context and stays out of the way: one call, one
// span.
//
// # Trace levels
//
// What a call records follows the trace level of the agentops Client that
// records it (agentops.WithTraceLevel), decided before anything is
// translated, so what a level leaves out costs nothing: at LevelMinimal the
// span's name, timing and status, and the metrics; at LevelStandard also
// the model, parameters, finish reasons and token counts; at LevelDetailed,
// the default, also messages, prompts and tools (with content capture on);
// at LevelDebug also the raw HTTP request and response bodies, secrets
// masked and capped, as agentops.llm.request.body and
// agentops.llm.response.body. The bodies come from the transport:
// NewTransport and InstrumentConfig record them, and so does a Client from
// NewClient, which sends through the transport; a Client from Wrap records
// them only when its goopenai.Client sends through NewTransport. Headers,
// and with them the API key of the Authorization header, are never
// recorded.
//
// # Tools
//
// RunToolCalls runs the tool calls of an assistant message, each under an
// "execute_tool {name}" span, and returns the tool messages for the next
// request, with failures turned into messages the model can act on.
//
// # Which agentops Client
//
// A call is recorded by the Client of the session its context carries,
// else by the default Client (the one agentops.Init returned last);
// WithAgentOps names one. Without any, the wrappers and the transport pass
// every call through untouched, at the cost of a few pointer loads.
//
// # Concurrency
//
// Client, the RoundTripper from NewTransport and RunToolCalls are safe for
// concurrent use. A stream's Recv is for one goroutine at a time, as
// go-openai's is; its Close and its context's end may come from any
// goroutine.
package openai
