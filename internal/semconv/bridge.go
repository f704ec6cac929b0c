package semconv

// The span event a framework bridge records for a message it reports.
const (
	BridgeMessageEvent   = "agentops.message"
	BridgeMessageRole    = "agentops.message.role"
	BridgeMessageContent = "agentops.message.content"
)
