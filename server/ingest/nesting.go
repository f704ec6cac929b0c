package ingest

import (
	"bytes"
	"errors"
	"fmt"

	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Why this file exists: pdata decodes nested messages (an attribute value
// holding an array holding an array...) by plain recursion, with no depth
// limit. A 30 MB protobuf of nested arrays, a few kB gzipped, overflows
// the goroutine stack, and a stack overflow is a fatal error that no
// recover catches: one request would kill the server. So before decoding,
// a cheap scan measures how deep the request's messages nest and how many
// there are (the decoder's memory grows with their number), and refuses it
// past fixed bounds.

const (
	// maxProtoDepth bounds how deeply an OTLP protobuf request nests
	// messages. A span attribute is at depth 6 (request, resource spans,
	// scope spans, span, key-value, value) and each level of array or map
	// inside a value adds 2, so this leaves values about 60 levels.
	maxProtoDepth = 128
	// maxJSONDepth is the same bound for OTLP/JSON, where each message is
	// an object and each repeated field an array.
	maxJSONDepth = 2 * maxProtoDepth
)

var errTooDeep = errors.New("values nested too deeply")

// schemaNode says, for one protobuf message type, which of its fields hold
// messages: children[n] is the type of field n, nil for a scalar field.
type schemaNode struct {
	children []*schemaNode
}

// The OTLP data messages have the same wire layout as the export requests
// (resource_spans and resource_metrics are field 1 of both), and they
// spare us the collector packages' gRPC gateway dependencies.
var (
	traceSchema  = buildSchema((&tracepb.TracesData{}).ProtoReflect().Descriptor(), map[protoreflect.FullName]*schemaNode{})
	metricSchema = buildSchema((&metricspb.MetricsData{}).ProtoReflect().Descriptor(), map[protoreflect.FullName]*schemaNode{})
)

func buildSchema(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]*schemaNode) *schemaNode {
	if n, ok := seen[md.FullName()]; ok {
		return n // recursive types (AnyValue, ArrayValue, KeyValue) close the loop
	}
	n := &schemaNode{}
	seen[md.FullName()] = n
	fields := md.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Kind() != protoreflect.MessageKind {
			continue
		}
		num := int(f.Number())
		for len(n.children) <= num {
			n.children = append(n.children, nil)
		}
		n.children[num] = buildSchema(f.Message(), seen)
	}
	return n
}

// protoScan walks a protobuf message without decoding it.
type protoScan struct {
	nodes, maxNodes int
}

func checkProto(b []byte, schema *schemaNode, maxNodes int) error {
	s := protoScan{maxNodes: maxNodes}
	return s.message(b, schema, 0)
}

func (s *protoScan) message(b []byte, n *schemaNode, depth int) error {
	if depth > maxProtoDepth {
		return fmt.Errorf("%w: messages nest deeper than %d levels", errTooDeep, maxProtoDepth)
	}
	for len(b) > 0 {
		tag, l := uvarint(b)
		if l < 0 {
			return errMalformed
		}
		b = b[l:]
		// Truncated to int32 as pdata does: field 2^32+1 is field 1 to it.
		num, typ := int32(tag>>3), protowire.Type(tag&7)
		if num <= 0 {
			return errMalformed
		}
		if typ == protowire.BytesType && int(num) < len(n.children) && n.children[num] != nil {
			size, l := uvarint(b)
			if l < 0 || size > uint64(len(b)-l) {
				return errMalformed
			}
			if s.nodes++; s.nodes > s.maxNodes {
				return fmt.Errorf("more than %d messages in one request: send smaller batches", s.maxNodes)
			}
			if err := s.message(b[l:l+int(size)], n.children[num], depth+1); err != nil {
				return err
			}
			b = b[l+int(size):]
			continue
		}
		l = skipField(b, typ)
		if l < 0 {
			return errMalformed
		}
		b = b[l:]
	}
	return nil
}

var errMalformed = errors.New("the body is not valid protobuf (truncated or malformed): check the exporter's encoding matches its Content-Type")

// The scan must resume exactly where the decoder does, or a deep message
// could hide where the scan looks past it and the decoder does not. So
// the scan copies pdata's rules (internal/proto, v1.70), quirks included:
// a varint may have 10 bytes whatever the last one holds, field numbers
// are truncated to int32, and an unknown group is skipped up to the first
// non-group field inside it, not to its end.

// uvarint reads a varint; n < 0 when b ends first or it runs past 10 bytes.
func uvarint(b []byte) (v uint64, n int) {
	for i := 0; i < 10 && i < len(b); i++ {
		c := b[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, -1
}

// skipField returns the length of the value of a field of type typ at the
// start of b, the way pdata's ConsumeUnknown measures it; -1 when invalid.
func skipField(b []byte, typ protowire.Type) int {
	pos, depth := 0, 0
	for pos < len(b) {
		switch typ {
		case protowire.VarintType:
			_, l := uvarint(b[pos:])
			if l < 0 {
				return -1
			}
			return pos + l
		case protowire.Fixed64Type:
			if len(b)-pos < 8 {
				return -1
			}
			return pos + 8
		case protowire.Fixed32Type:
			if len(b)-pos < 4 {
				return -1
			}
			return pos + 4
		case protowire.BytesType:
			size, l := uvarint(b[pos:])
			if l < 0 || size > uint64(len(b)-pos-l) {
				return -1
			}
			return pos + l + int(size)
		case protowire.StartGroupType:
			depth++
		case protowire.EndGroupType:
			if depth == 0 {
				return -1
			}
			depth--
		default:
			return -1
		}
		if depth == 0 {
			return pos
		}
		tag, l := uvarint(b[pos:])
		if l < 0 || int32(tag>>3) <= 0 {
			return -1
		}
		typ = protowire.Type(tag & 7)
		pos += l
	}
	return -1
}

// checkJSON bounds the nesting depth and the object count of a JSON
// document. It does not validate it: the decoder does.
func checkJSON(b []byte, maxNodes int) error {
	depth, nodes := 0, 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			end := stringEnd(b, i+1)
			if end < 0 {
				return nil // unterminated string: the decoder says so
			}
			i = end
		case '{':
			if nodes++; nodes > maxNodes {
				return fmt.Errorf("more than %d objects in one request: send smaller batches", maxNodes)
			}
			fallthrough
		case '[':
			if depth++; depth > maxJSONDepth {
				return fmt.Errorf("%w: JSON nests deeper than %d levels", errTooDeep, maxJSONDepth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the JSON string whose
// contents start at b[from], or -1. Strings are most of an OTLP body, so
// this jumps from quote to quote instead of stepping through each byte.
func stringEnd(b []byte, from int) int {
	for {
		q := bytes.IndexByte(b[from:], '"')
		if q < 0 {
			return -1
		}
		q += from
		backslashes := 0
		for j := q - 1; j >= from && b[j] == '\\'; j-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q
		}
		from = q + 1
	}
}
