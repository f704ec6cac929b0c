package agentops

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDiagnosticsLogEachFailureKindOncePerWindow(t *testing.T) {
	logs := &logBuffer{}
	now := time.Now()
	d := newDiagnostics(config{logger: logs.logger()})
	d.now = func() time.Time { return now }

	d.report(errors.New("agentops: 3 spans were not exported: connection refused"))
	d.report(errors.New("agentops: 512 spans were not exported: connection refused"))
	d.report(errors.New("agentops: auth failed"))
	d.report(nil)
	assert.Equal(t, 2, strings.Count(logs.String(), "level=ERROR"), logs.String())

	now = now.Add(reportWindow + time.Second)
	d.report(errors.New("agentops: 7 spans were not exported: connection refused"))
	out := logs.String()
	assert.Equal(t, 3, strings.Count(out, "level=ERROR"), out)
	assert.Contains(t, out, "repeats_since_last_report=1", "the line says how many it held back")
}

func TestDiagnosticsUserHandlerGetsEverything(t *testing.T) {
	var got []error
	d := newDiagnostics(config{errorHandler: func(err error) { got = append(got, err) }})
	for range 3 {
		d.report(errors.New("same failure"))
	}
	assert.Len(t, got, 3)
}
