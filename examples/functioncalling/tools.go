package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"

	aoopenai "github.com/agentops-go/agentops/instrument/openai"
)

// tools are the functions offered to the model.
var tools = []goopenai.Tool{
	{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
		Name:        "get_weather",
		Description: "The weather forecast for a city.",
		Parameters: jsonschema.Definition{
			Type: jsonschema.Object,
			Properties: map[string]jsonschema.Definition{
				"city": {Type: jsonschema.String, Description: "The city's name, e.g. Paris"},
			},
			Required: []string{"city"},
		},
	}},
	{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
		Name:        "convert_currency",
		Description: "Converts an amount of money between currencies at today's rate.",
		Parameters: jsonschema.Definition{
			Type: jsonschema.Object,
			Properties: map[string]jsonschema.Definition{
				"amount": {Type: jsonschema.Number},
				"from":   {Type: jsonschema.String, Description: "ISO 4217 code, e.g. USD"},
				"to":     {Type: jsonschema.String, Description: "ISO 4217 code, e.g. EUR"},
			},
			Required: []string{"amount", "from", "to"},
		},
	}},
}

// toolFuncs run the tools, by the name the model calls them by.
var toolFuncs = map[string]aoopenai.ToolFunc{
	"get_weather":      getWeather,
	"convert_currency": convertCurrency,
}

// forecasts and perUSD stand in for a weather API and an exchange-rate API:
// fixed tables, so that every run gives the same answers.
var (
	forecasts = map[string]string{
		"paris":    "14°C and light rain",
		"london":   "11°C and overcast",
		"tokyo":    "22°C and clear",
		"new york": "9°C and windy",
	}
	perUSD = map[string]float64{"USD": 1, "EUR": 0.92, "GBP": 0.79, "JPY": 151.3}
)

func getWeather(_ context.Context, arguments string) (string, error) {
	var args struct {
		City string `json:"city"`
	}
	if err := json.Unmarshal([]byte(arguments), &args); err != nil {
		return "", fmt.Errorf("arguments: %w", err)
	}
	forecast, ok := forecasts[strings.ToLower(args.City)]
	if !ok {
		return "", fmt.Errorf("no forecast for %q", args.City)
	}
	return forecast, nil
}

func convertCurrency(_ context.Context, arguments string) (string, error) {
	var args struct {
		Amount float64 `json:"amount"`
		From   string  `json:"from"`
		To     string  `json:"to"`
	}
	if err := json.Unmarshal([]byte(arguments), &args); err != nil {
		return "", fmt.Errorf("arguments: %w", err)
	}
	from, to := strings.ToUpper(args.From), strings.ToUpper(args.To)
	fromRate, ok := perUSD[from]
	if !ok {
		return "", fmt.Errorf("unknown currency %q", args.From)
	}
	toRate, ok := perUSD[to]
	if !ok {
		return "", fmt.Errorf("unknown currency %q", args.To)
	}
	return fmt.Sprintf("%.2f %s", args.Amount/fromRate*toRate, to), nil
}
