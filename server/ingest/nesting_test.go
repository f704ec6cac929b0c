package ingest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/protobuf/encoding/protowire"
)

// The scan must read protobuf exactly as pdata does: wherever they part,
// a deep message could hide from the scan and reach the decoder. These
// are the places pdata departs from the protobuf spec.
func TestProtoScanAgreesWithPdata(t *testing.T) {
	tag := func(num uint64, typ protowire.Type) []byte { return protowire.AppendVarint(nil, num<<3|uint64(typ)) }
	deep := nestedValue(maxProtoDepth) // a request: field 1, then the rest
	_, _, rest := protowire.ConsumeTag(deep)
	for name, body := range map[string][]byte{
		// pdata skips an unknown group only to the first field inside it.
		"group quirk": []byte("C00"),
		// pdata truncates field numbers to int32: 2^32+1 is field 1, the
		// resource spans, and the deep request behind it is decoded.
		"field number 2^32+1": append(tag(1<<32+1, protowire.BytesType), deep[rest:]...),
		// A 10-byte varint whose last byte holds more than 1 bit.
		"long varint":           append(tag(2, protowire.VarintType), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
		"field 0":               append(tag(0, protowire.VarintType), 1),
		"negative field number": append(tag(1<<31, protowire.VarintType), 1),
	} {
		t.Run(name, func(t *testing.T) {
			scanErr := checkProto(body, traceSchema, 1<<20)
			pdataErr := ptraceotlp.NewExportRequest().UnmarshalProto(body)
			if pdataErr == nil {
				// Accepted by the decoder: the scan may refuse it only for
				// its depth, never as malformed.
				assert.NotErrorIs(t, scanErr, errMalformed)
			}
			if name == "field number 2^32+1" {
				assert.ErrorIs(t, scanErr, errTooDeep)
			}
		})
	}
}
