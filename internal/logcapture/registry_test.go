package logcapture

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

func TestRegistryDeliver(t *testing.T) {
	r := NewRegistry()
	assert.False(t, r.Active())
	r.Deliver(testID(1), "nobody listens") // no panic, no buffer

	a, b := NewBuffer(Limits{}), NewBuffer(Limits{})
	r.Open(testID(1), a)
	r.Open(testID(2), b)
	assert.True(t, r.Active())

	r.Deliver(testID(1), "to a")
	r.Deliver(testID(2), "to b")
	r.Deliver(testID(3), "unknown id: everyone")
	r.Deliver(ID{}, "zero id: everyone")
	r.Broadcast("broadcast")

	assert.Equal(t, "to a\nunknown id: everyone\nzero id: everyone\nbroadcast", a.Drain())
	assert.Equal(t, "to b\nunknown id: everyone\nzero id: everyone\nbroadcast", b.Drain())

	assert.Same(t, a, r.Close(testID(1)))
	assert.Nil(t, r.Close(testID(1)), "already closed")
	r.Deliver(testID(1), "after close: goes to the open ones")
	assert.Equal(t, "", a.Drain())
	assert.Equal(t, "after close: goes to the open ones", b.Drain())

	assert.Same(t, b, r.Close(testID(2)))
	assert.False(t, r.Active())
	r.Broadcast("nobody")
	assert.Equal(t, 0, b.Len())
}

func TestRegistryReopenReplaces(t *testing.T) {
	r := NewRegistry()
	a, b := NewBuffer(Limits{}), NewBuffer(Limits{})
	r.Open(testID(1), a)
	r.Open(testID(1), b)
	r.Open(testID(2), nil) // ignored
	r.Deliver(testID(1), "x")
	assert.Equal(t, 0, a.Len())
	assert.Same(t, b, r.Close(testID(1)))
	assert.False(t, r.Active(), "a replaced buffer is one session, not two")
}

func TestRegistryBroadcastSharesTheString(t *testing.T) {
	r := NewRegistry()
	a, b := NewBuffer(Limits{}), NewBuffer(Limits{})
	r.Open(testID(1), a)
	r.Open(testID(2), b)
	r.Broadcast(string([]byte("shared line")))
	assert.Equal(t, unsafe.StringData(a.ring[a.head]), unsafe.StringData(b.ring[b.head]))
}
