package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/agentops-go/agentops"
)

type stockRequest struct {
	SKU string `json:"sku"`
}

type stockLevel struct {
	SKU       string `json:"sku"`
	Units     int    `json:"units"`
	Warehouse string `json:"warehouse"`
}

type errorBody struct {
	Error string `json:"error"`
}

// stock stands in for the service's database.
var stock = map[string]stockLevel{
	"SKU-1001": {SKU: "SKU-1001", Units: 12, Warehouse: "Lisbon"},
	"SKU-2002": {SKU: "SKU-2002", Units: 0, Warehouse: "Porto"},
}

// startService starts the inventory service on addr and returns it with
// its base URL. Close or Shutdown stops it.
func startService(addr string) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("inventory service: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /check_stock", checkStock)
	// The handler's requests carry the caller's trace context from here on.
	srv := &http.Server{Handler: agentops.ExtractingHandler(mux)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "inventory service:", err)
		}
	}()
	return srv, "http://" + ln.Addr().String(), nil
}

// checkStock answers POST /check_stock under a task span of the service's
// own, which joins the caller's trace: r.Context() carries it.
func checkStock(w http.ResponseWriter, r *http.Request) {
	var req stockRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "the body is not a stock request"})
		return
	}
	level, err := agentops.Run(r.Context(), agentops.KindTask, "check_stock", func(ctx context.Context) (stockLevel, error) {
		return agentops.Run(ctx, agentops.KindRetrieval, "inventory_db", func(context.Context) (stockLevel, error) {
			return lookup(req.SKU)
		}, agentops.WithInput(req.SKU))
	}, agentops.WithInput(req))
	if err != nil { // lookup fails only for a SKU it does not know
		writeJSON(w, http.StatusNotFound, errorBody{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, level)
}

func lookup(sku string) (stockLevel, error) {
	level, ok := stock[sku]
	if !ok {
		return stockLevel{}, fmt.Errorf("unknown SKU %q", sku)
	}
	return level, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
