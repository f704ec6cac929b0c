package demoagent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/agentops-go/agentops/instrument/openai"
)

// tool is one function the model may call: its schema and its code. The
// data is made up; the calls, their arguments, results and failures are
// what the demo is about.
type tool struct {
	description string
	params      map[string]any
	run         openai.ToolFunc
}

type toolbox struct {
	tools map[string]tool
	// hotelCalls makes the first hotel search of a run fail, as a flaky
	// upstream would, so the session shows an error and the recovery.
	hotelCalls atomic.Int32
}

func newToolbox() *toolbox {
	b := &toolbox{}
	b.tools = map[string]tool{
		"get_weather": {
			description: "The weather forecast for a city over the next days.",
			params:      object(map[string]any{"city": str(), "days": integer()}, "city"),
			run: decoded(func(_ context.Context, args struct {
				City string `json:"city"`
				Days int    `json:"days"`
			}) (any, error) {
				days := max(args.Days, 1)
				forecast := make([]map[string]any, days)
				for i := range forecast {
					forecast[i] = map[string]any{"day": i + 1, "sky": []string{"sunny", "partly cloudy"}[i%2], "high_c": 24 - i, "low_c": 16}
				}
				return map[string]any{"city": args.City, "forecast": forecast}, nil
			}),
		},
		"search_hotels": {
			description: "Hotels in a city under a nightly price, cheapest first.",
			params:      object(map[string]any{"city": str(), "max_price_eur": integer(), "area": str()}, "city", "max_price_eur"),
			run: decoded(func(ctx context.Context, args struct {
				City string `json:"city"`
				Max  int    `json:"max_price_eur"`
				Area string `json:"area"`
			}) (any, error) {
				if b.hotelCalls.Add(1) == 1 {
					select { // the upstream hangs a little, then gives up
					case <-time.After(120 * time.Millisecond):
					case <-ctx.Done():
						return nil, ctx.Err()
					}
					return nil, errors.New("hotel search API timed out after 120ms (simulated outage); retry, or widen the search")
				}
				return []map[string]any{
					{"name": "Casa Alfama", "area": "Alfama", "price_eur": min(112, args.Max), "rating": 4.6},
					{"name": "Baixa Loft", "area": "Baixa", "price_eur": min(118, args.Max), "rating": 4.4},
				}, nil
			}),
		},
		"list_sights": {
			description: "The sights of a city worth a visit, with how long each takes.",
			params:      object(map[string]any{"city": str()}, "city"),
			run: decoded(func(_ context.Context, args struct {
				City string `json:"city"`
			}) (any, error) {
				return []map[string]any{
					{"name": "Belém Tower", "hours": 1.5}, {"name": "Jerónimos Monastery", "hours": 2},
					{"name": "Alfama and the 28 tram", "hours": 3}, {"name": "LX Factory", "hours": 1.5},
				}, nil
			}),
		},
		"convert_currency": {
			description: "Convert an amount between currencies at today's rate.",
			params:      object(map[string]any{"amount": map[string]any{"type": "number"}, "from": str(), "to": str()}, "amount", "from", "to"),
			run: decoded(func(_ context.Context, args struct {
				Amount float64 `json:"amount"`
				From   string  `json:"from"`
				To     string  `json:"to"`
			}) (any, error) {
				rates := map[string]float64{"USD": 1, "EUR": 0.92, "GBP": 0.79}
				from, okFrom := rates[strings.ToUpper(args.From)]
				to, okTo := rates[strings.ToUpper(args.To)]
				if !okFrom || !okTo {
					return nil, fmt.Errorf("no rate for %s to %s; known: USD, EUR, GBP", args.From, args.To)
				}
				return map[string]any{"amount": math.Round(args.Amount/from*to*100) / 100, "currency": strings.ToUpper(args.To)}, nil
			}),
		},
	}
	return b
}

// definitions are the named tools' schemas for a request.
func (b *toolbox) definitions(names ...string) []goopenai.Tool {
	out := make([]goopenai.Tool, 0, len(names))
	for _, n := range names {
		t := b.tools[n]
		out = append(out, goopenai.Tool{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
			Name: n, Description: t.description, Parameters: t.params,
		}})
	}
	return out
}

// funcs are the named tools' code, for RunToolCalls.
func (b *toolbox) funcs(names ...string) map[string]openai.ToolFunc {
	out := make(map[string]openai.ToolFunc, len(names))
	for _, n := range names {
		out[n] = b.tools[n].run
	}
	return out
}

// decoded adapts a typed tool to a ToolFunc: JSON arguments in, JSON
// result out, and an error that tells the model what it sent wrong.
func decoded[A any](fn func(context.Context, A) (any, error)) openai.ToolFunc {
	return func(ctx context.Context, arguments string) (string, error) {
		var args A
		if err := json.Unmarshal([]byte(arguments), &args); err != nil {
			return "", fmt.Errorf("arguments are not the JSON object the schema asks for: %w", err)
		}
		res, err := fn(ctx, args)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(res)
		return string(b), err
	}
}

func object(props map[string]any, required ...string) map[string]any {
	return map[string]any{"type": "object", "properties": props, "required": required}
}

func str() map[string]any     { return map[string]any{"type": "string"} }
func integer() map[string]any { return map[string]any{"type": "integer"} }
