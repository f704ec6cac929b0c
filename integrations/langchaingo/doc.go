// Package agentopslangchain records what github.com/tmc/langchaingo does as
// agentops spans, through langchaingo's own callbacks: give a Handler to
// the LLM, the chains, the agent executor, the tools and the retrievers,
// and every run shows up in the session with its inputs, outputs, messages
// and token usage, without changing the chain.
//
//	client, err := agentops.Init(ctx)
//	...
//	defer client.Shutdown(ctx)
//	h := agentopslangchain.New()
//	defer h.Close()
//
//	llm, err := openai.New(openai.WithModel("gpt-4o-mini"),
//		openai.WithCallback(h.LLM("openai", "gpt-4o-mini")))
//	chain := chains.NewLLMChain(llm, prompt, chains.WithCallback(h.Named("summarize")))
//	err = agentops.RunSession(ctx, "summarize", func(ctx context.Context) error {
//		_, err := chains.Run(ctx, chain, text)
//		return err
//	})
//
// What each callback becomes:
//
//	HandleChainStart/End/Error      a workflow span for the outermost chain of a context,
//	                                task spans for the chains inside it, agent spans
//	                                through Handler.Agent; inputs and outputs recorded
//	HandleLLMGenerateContentStart/  a chat span: the messages sent (text, tool calls,
//	End, HandleLLMError             tool results), the choices and finish reasons,
//	                                the token usage of GenerationInfo
//	HandleLLMStart                  a text completion span of the prompts
//	HandleAgentAction               an execute_tool span for the call, with its call id
//	                                and input, and the agent's log as a message
//	HandleToolStart/End/Error       that span's output and end; an execute_tool span of
//	                                its own for a tool no agent called
//	HandleAgentFinish               the answer, as a message of the agent's span
//	HandleRetrieverStart/End        a retrieval span: the query and the documents
//	HandleText                      a message of the innermost open run
//	HandleStreamingFunc             nothing: the whole text arrives at the end
//
// # Pairing starts and ends
//
// langchaingo's callbacks name no run and cannot hand a context back: a
// run's start and end share only the context they are given. The Handler
// keeps a stack of the runs open on each context: a start pushes a run
// under the innermost open run of its context (the outermost run of a
// context nests under the span the context carries: a session started
// with agentops.StartSession, say), and an end closes the innermost open
// run of its kind. langchaingo passes a chain's context on unchanged to
// its LLM, tools and inner chains, so they nest as they ran.
//
// So two runs that are open at once on the same context object cannot be
// told apart. Runs on separate goroutines need contexts of their own, which
// agentops.StartSession, context.WithValue or context.WithCancel give; two
// goroutines that both use context.Background() share one context.
// chains.Apply runs its inputs concurrently on one context, and its runs
// nest into one another.
//
// langchaingo does not report every end: its openai client reports no
// error, a retriever reports none, an agent's tools mostly report nothing,
// and its Calculator reports no end when it cannot evaluate. A run left
// open ends at the first callback that shows it is over: an LLM call at
// the next start on its context (failed, with agentops.ErrRunNotEnded)
// or with the chain that failed with it (with the chain's error), the
// tool of an agent action at the next callback (with its result, when the
// next LLM request carries it back under the call id) or the agent's next
// action. What is still open when its context is done ends then, failed
// with the context's cause, and Handler.Close ends the rest.
//
// A span of the program's own started from a context langchaingo passes
// (in a tool, say) nests under the span that context carries, not under
// the run: Handler.Context returns the context to start it from.
package agentopslangchain
