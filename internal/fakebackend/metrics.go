package fakebackend

import (
	"net/http"

	metricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// HistogramPoint is one histogram data point received on /v1/metrics.
type HistogramPoint struct {
	Metric string // instrument name
	Unit   string
	Attrs  map[string]any
	Count  uint64
	Sum    float64
	Bounds []float64 // explicit bucket boundaries
}

// handleMetrics serves POST /v1/metrics (OTLP/HTTP protobuf or JSON; only
// histogram points are kept, the kind the SDK records). With
// SetRequireAuth it needs a valid bearer token.
func (b *Backend) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	b.mu.Lock()
	requireAuth := b.requireAuth
	b.mu.Unlock()
	if requireAuth && !b.tokenValid(r) {
		http.Error(w, "invalid or missing bearer token", http.StatusUnauthorized)
		return
	}
	raw, isJSON, code, msg := readOTLPBody(w, r)
	if code != 0 {
		http.Error(w, msg, code)
		return
	}
	req := &metricspb.ExportMetricsServiceRequest{}
	var err error
	if isJSON {
		err = protojson.Unmarshal(raw, req)
	} else {
		err = proto.Unmarshal(raw, req)
	}
	if err != nil {
		http.Error(w, "decoding OTLP metrics: "+err.Error(), http.StatusBadRequest)
		return
	}
	var points []HistogramPoint
	for _, rm := range req.ResourceMetrics {
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				for _, dp := range m.GetHistogram().GetDataPoints() {
					points = append(points, HistogramPoint{
						Metric: m.Name, Unit: m.Unit, Attrs: attrMap(dp.Attributes),
						Count: dp.Count, Sum: dp.GetSum(), Bounds: dp.ExplicitBounds,
					})
				}
			}
		}
	}
	b.mu.Lock()
	b.histograms = append(b.histograms, points...)
	b.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&metricspb.ExportMetricsServiceResponse{})
	_, _ = w.Write(out)
}

// Histograms returns every histogram point received so far. It is safe for
// concurrent use.
func (b *Backend) Histograms() []HistogramPoint {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]HistogramPoint(nil), b.histograms...)
}
