package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// inventoryClient calls the inventory service. It is safe for concurrent
// use.
type inventoryClient struct {
	baseURL string
	http    *http.Client
}

// CheckStock asks the service how many units of sku are in stock.
func (c *inventoryClient) CheckStock(ctx context.Context, sku string) (stockLevel, error) {
	body, err := json.Marshal(stockRequest{SKU: sku})
	if err != nil {
		return stockLevel{}, err
	}
	// The request's context is the tool span's: PropagatingTransport
	// sends that span as the parent of the service's.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/check_stock", bytes.NewReader(body))
	if err != nil {
		return stockLevel{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return stockLevel{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		if json.NewDecoder(resp.Body).Decode(&e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return stockLevel{}, fmt.Errorf("inventory service: %s", e.Error)
	}
	var level stockLevel
	err = json.NewDecoder(resp.Body).Decode(&level)
	return level, err
}
