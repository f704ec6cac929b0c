package pricing_test

import (
	"fmt"

	"github.com/agentops-go/agentops/server/pricing"
)

func ExampleTable_Cost() {
	prices := pricing.Default()
	// 10,000 prompt tokens of which 8,000 were cached, 500 completion
	// tokens; a dated model name finds its base model's price.
	usd, ok := prices.Cost("gpt-4o-mini-2024-07-18", pricing.Usage{Input: 10_000, CacheRead: 8_000, Output: 500})
	fmt.Printf("%v $%.6f\n", ok, usd)
	_, ok = prices.Cost("my-local-model", pricing.Usage{Input: 10_000})
	fmt.Println(ok)
	// Output:
	// true $0.001200
	// false
}
