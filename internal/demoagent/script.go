package demoagent

import (
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops/agentopstest/scripted"
)

// The agents' system prompts. Script tells the agents apart by them.
const (
	plannerPrompt    = "You are the planner of a travel assistant. Break the user's request into short numbered steps. Do not answer it yourself."
	researcherPrompt = "You are the researcher of a travel assistant. Use the tools to find the weather and a hotel, then report them in two sentences. If a tool fails, try again once with a wider search."
	guidePrompt      = "You are a local guide. Use list_sights, then propose what to see on each day in three sentences."
	budgetPrompt     = "You are a budget analyst. Convert the budget to the local currency with convert_currency, then say in two sentences how it splits between hotel, food and sights."
	writerPrompt     = "You are the writer of a travel assistant. Write the final itinerary for the user from the brief: short, friendly, day by day."
)

// Script is the scripted model the demo runs against without a real
// provider: it answers each agent's requests as a capable model would,
// from the system prompt and the tool results so far, with a little
// latency so the timeline looks like a real run's.
func Script(req *scripted.Request) scripted.Reply {
	system := ""
	if len(req.Messages) > 0 && req.Messages[0].Role == goopenai.ChatMessageRoleSystem {
		system = req.Messages[0].Content
	}
	results := scripted.ToolResults(req)
	failed := false
	for _, r := range results {
		failed = failed || strings.HasPrefix(r, "error:")
	}
	round := toolRounds(req)
	reply := func(r scripted.Reply, think time.Duration) scripted.Reply {
		r.Delay = think
		return r
	}
	call := func(name, args string) scripted.ToolCall { return scripted.ToolCall{Name: name, Arguments: args} }

	switch system {
	case plannerPrompt:
		return reply(scripted.Reply{Content: "1. Check the weekend weather in Lisbon.\n" +
			"2. Find a central hotel under 120 EUR a night.\n" +
			"3. Pick the sights for each day.\n" +
			"4. Convert the 500 USD budget to EUR and split it.\n" +
			"5. Write the itinerary."}, 350*time.Millisecond)
	case researcherPrompt:
		switch {
		case round == 0:
			return reply(scripted.Reply{ToolCalls: []scripted.ToolCall{
				call("get_weather", `{"city":"Lisbon","days":2}`),
				call("search_hotels", `{"city":"Lisbon","max_price_eur":120,"area":"Baixa"}`),
			}}, 420*time.Millisecond)
		case failed:
			return reply(scripted.Reply{ToolCalls: []scripted.ToolCall{
				call("search_hotels", `{"city":"Lisbon","max_price_eur":120}`),
			}}, 260*time.Millisecond)
		}
		return reply(scripted.Reply{Content: "The weekend looks sunny, 24°C on Saturday and 23°C on Sunday. " +
			"Casa Alfama has a room at 112 EUR a night (rated 4.6), a short walk from the centre."}, 380*time.Millisecond)
	case guidePrompt:
		if round == 0 {
			return reply(scripted.Reply{ToolCalls: []scripted.ToolCall{call("list_sights", `{"city":"Lisbon"}`)}}, 300*time.Millisecond)
		}
		return reply(scripted.Reply{Content: "Saturday: Belém Tower and the Jerónimos Monastery in the morning, LX Factory after lunch. " +
			"Sunday: wander Alfama and ride the 28 tram up to the castle. Keep the evenings for fado."}, 450*time.Millisecond)
	case budgetPrompt:
		if round == 0 {
			return reply(scripted.Reply{ToolCalls: []scripted.ToolCall{call("convert_currency", `{"amount":500,"from":"USD","to":"EUR"}`)}}, 280*time.Millisecond)
		}
		return reply(scripted.Reply{Content: "500 USD is 460 EUR. Two nights at Casa Alfama take 224 EUR, " +
			"which leaves 236 EUR: about 150 for food and 86 for tickets and trams."}, 320*time.Millisecond)
	case writerPrompt:
		return reply(scripted.Reply{Content: "Your Lisbon weekend (2 people, 500 USD ≈ 460 EUR)\n\n" +
			"Stay: Casa Alfama, 112 EUR a night, sunny and 24°C.\n" +
			"Saturday: Belém Tower and the Jerónimos Monastery, pastéis de nata nearby, then LX Factory.\n" +
			"Sunday: Alfama on foot, the 28 tram to São Jorge castle, fado in the evening.\n" +
			"Budget: 224 EUR hotel, about 150 EUR food, 86 EUR tickets and trams. Enjoy!"}, 500*time.Millisecond)
	}
	return scripted.Echo(req)
}

// toolRounds counts the assistant turns that called tools so far.
func toolRounds(req *scripted.Request) int {
	n := 0
	for _, m := range req.Messages {
		if m.Role == goopenai.ChatMessageRoleAssistant && len(m.ToolCalls) > 0 {
			n++
		}
	}
	return n
}
