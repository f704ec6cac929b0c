package agentops

import (
	"net/url"
	"strconv"
	"strings"
)

// knownProviders maps API hosts to OTel gen_ai.provider.name values.
var knownProviders = []struct {
	host   string // exact host, or
	suffix string // host suffix
	name   string
}{
	{host: "api.openai.com", name: "openai"},
	{suffix: ".openai.azure.com", name: "azure.ai.openai"},
	{suffix: ".services.ai.azure.com", name: "azure.ai.inference"},
	{suffix: ".models.ai.azure.com", name: "azure.ai.inference"},
	{host: "api.anthropic.com", name: "anthropic"},
	{host: "generativelanguage.googleapis.com", name: "gcp.gemini"},
	{suffix: "aiplatform.googleapis.com", name: "gcp.vertex_ai"},
	{suffix: ".amazonaws.com", name: "aws.bedrock"},
	{host: "api.groq.com", name: "groq"},
	{host: "api.mistral.ai", name: "mistral_ai"},
	{host: "api.deepseek.com", name: "deepseek"},
	{host: "api.x.ai", name: "x_ai"},
	{host: "api.perplexity.ai", name: "perplexity"},
	{host: "api.cohere.com", name: "cohere"},
	{host: "api.cohere.ai", name: "cohere"},
	{host: "openrouter.ai", name: "openrouter"},
	{host: "api.together.xyz", name: "together_ai"},
	{host: "api.fireworks.ai", name: "fireworks_ai"},
}

// Endpoint is where an OpenAI-compatible API lives, as StartLLM records it.
type Endpoint struct {
	Provider string // gen_ai.provider.name
	Host     string // server.address
	Port     int    // server.port
}

// EndpointFromURL reads the provider, host and port of an API base URL
// (https://api.openai.com/v1, https://x.openai.azure.com/openai, ...).
// Well-known hosts get their OTel provider name; any other host (a local
// model server, a gateway) is its own provider name, so its calls are told
// apart; Ollama's default port gives "ollama". A URL that does not parse gives provider "openai" and no host.
func EndpointFromURL(rawURL string) Endpoint {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return Endpoint{Provider: "openai"}
	}
	host := strings.ToLower(u.Hostname())
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = 443
		if u.Scheme == "http" {
			port = 80
		}
	}
	return Endpoint{Provider: providerFromHost(host, port), Host: host, Port: port}
}

func providerFromHost(host string, port int) string {
	for _, p := range knownProviders {
		if (p.host != "" && host == p.host) || (p.suffix != "" && strings.HasSuffix(host, p.suffix)) {
			return p.name
		}
	}
	if port == 11434 {
		return "ollama" // its default port, on whatever host
	}
	return host
}
