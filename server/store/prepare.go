package store

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/agentops-go/agentops/server/model"
)

// A Write does all the work it can before it queues: it encodes every span
// on the caller's goroutine, so concurrent ingest requests spread it over
// the cores and the one writer goroutine only runs SQL.

// Caps on the text given to full-text search; the stored data is never
// cut. A log upload can be 25 MB, and tokenising it holds the writer.
const (
	maxSearchPiece = 64 << 10 // per span name, message, input or output
	maxSearchLog   = 4 << 20  // per log upload
)

// summary is what a span contributes to its session's roll-up.
type summary struct {
	traceID, spanID, parentID string
	name, service, statusCode string
	startNS, endNS            int64
	class, model              string
	error                     bool
	inputTokens, outputTokens int64
	cacheReadTokens           int64
	reasoningTokens           int64
	cost                      float64
	sessionName, endState     string
	tags                      []string
}

type spanRow struct {
	summary
	resource int // index in prepared.resources, -1 for none
	data     []byte
}

func (s *summary) setDerived(d *model.Derived) {
	s.class, s.model, s.error = d.Class, d.Model, d.Error
	s.inputTokens, s.outputTokens = d.InputTokens, d.OutputTokens
	s.cacheReadTokens, s.reasoningTokens = d.CacheReadTokens, d.ReasoningTokens
	s.cost = finite(d.Cost)
	s.sessionName, s.endState, s.tags = d.SessionName, d.EndState, d.Tags
}

type resourceRow struct {
	hash [16]byte
	body []byte
}

type fileRow struct {
	model.FileUpload
	sha  string
	size int64
}

// prepared is a Batch made ready for the writer.
type prepared struct {
	spans     []spanRow
	resources []resourceRow
	logs      []model.LogUpload
	files     []fileRow
	refs      []model.FileRef
	objects   []model.Object
	// text is the searchable text of each trace, deduplicated.
	text map[string]*textSet
	// skipped counts records dropped for missing IDs.
	skipped int
	// bytes estimates what the batch adds to the database.
	bytes int
}

func (p *prepared) empty() bool {
	return len(p.spans) == 0 && len(p.logs) == 0 && len(p.files) == 0 &&
		len(p.refs) == 0 && len(p.objects) == 0
}

// textSet is a trace's searchable text: distinct pieces in arrival order.
type textSet struct {
	seen  map[string]struct{}
	parts []string
}

func (t *textSet) add(s string, limit int) {
	if s == "" {
		return
	}
	if len(s) > limit {
		s = truncateUTF8(s, limit)
	}
	if _, ok := t.seen[s]; ok {
		return
	}
	t.seen[s] = struct{}{}
	t.parts = append(t.parts, s)
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (p *prepared) textOf(traceID string) *textSet {
	if p.text == nil {
		p.text = make(map[string]*textSet)
	}
	t := p.text[traceID]
	if t == nil {
		t = &textSet{seen: make(map[string]struct{})}
		p.text[traceID] = t
	}
	return t
}

// prepare validates and encodes b. Records without the IDs they are keyed
// by are dropped (ingest rejects them before they get here); the rest
// never fails.
func prepare(b *model.Batch, now time.Time) *prepared {
	p := &prepared{}
	if len(b.Spans) > 0 {
		p.spans = make([]spanRow, 0, len(b.Spans))
	}
	// Spans decoded from one OTLP ResourceSpans share one map: encode
	// and hash each map once.
	resIndex := map[uintptr]int{}
	var buf []byte
	for i := range b.Spans {
		sp := &b.Spans[i]
		if sp.TraceID == "" || sp.SpanID == "" {
			p.skipped++
			continue
		}
		row := spanRow{
			summary: summary{
				traceID:    sp.TraceID,
				spanID:     sp.SpanID,
				parentID:   sp.ParentSpanID,
				name:       sp.Name,
				service:    sp.Service,
				statusCode: sp.StatusCode,
				startNS:    unixNanos(sp.Start),
				endNS:      unixNanos(sp.End),
			},
			resource: -1,
		}
		row.setDerived(&sp.Derived)
		if sp.Resource != nil {
			key := reflect.ValueOf(sp.Resource).Pointer()
			idx, ok := resIndex[key]
			if !ok {
				body := appendSortedMap(nil, sp.Resource)
				sum := sha256.Sum256(body)
				var h [16]byte
				copy(h[:], sum[:16])
				idx = len(p.resources)
				p.resources = append(p.resources, resourceRow{hash: h, body: body})
				resIndex[key] = idx
			}
			row.resource = idx
		}
		buf = appendSpanData(buf[:0], sp)
		row.data = append(make([]byte, 0, len(buf)), buf...)
		p.bytes += len(buf) + 200
		p.spans = append(p.spans, row)

		spanText(sp, p.textOf(sp.TraceID).add)
	}
	for _, l := range b.Logs {
		if l.TraceID == "" {
			p.skipped++
			continue
		}
		if l.Received.IsZero() {
			l.Received = now
		}
		p.logs = append(p.logs, l)
		p.bytes += len(l.Text)
		p.textOf(l.TraceID).add(l.Text, maxSearchLog)
	}
	for _, f := range b.Files {
		if f.ID == "" {
			f.ID = model.FileID(f.Path, f.Content)
		}
		if f.Received.IsZero() {
			f.Received = now
		}
		sum := sha256.Sum256([]byte(f.Content))
		p.bytes += len(f.Content)
		p.files = append(p.files, fileRow{FileUpload: f, sha: hex.EncodeToString(sum[:]), size: int64(len(f.Content))})
	}
	for _, r := range b.FileRefs {
		if r.TraceID == "" || r.FileID == "" {
			p.skipped++
			continue
		}
		p.refs = append(p.refs, r)
	}
	for _, o := range b.Objects {
		if o.ID == "" {
			o.ID = model.ObjectID(o.Content)
		}
		if o.Received.IsZero() {
			o.Received = now
		}
		p.objects = append(p.objects, o)
		p.bytes += len(o.Content)
	}
	return p
}

// finite keeps NaN and infinities out of the summed columns: one bad cost
// would poison a session's total forever.
func finite(f float64) float64 {
	if f != f || f > 1e300 || f < -1e300 {
		return 0
	}
	return f
}
