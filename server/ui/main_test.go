package ui_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The tests start servers, SDK clients and a browser: all of them must be
// gone when the tests end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
