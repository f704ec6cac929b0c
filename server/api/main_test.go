package api

import (
	"testing"

	"go.uber.org/goleak"
)

// The event streams and the Hub must leave no goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
