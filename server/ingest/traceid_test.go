package ingest

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTraceID(t *testing.T) {
	for in, want := range map[string]string{
		// Decimal, as AgentOps SDKs send it (docs/WIRE.md section 3).
		"10":                                     "0000000000000000000000000000000a",
		"010":                                    "0000000000000000000000000000000a",
		"1":                                      "00000000000000000000000000000001",
		"18446744073709551616":                   "00000000000000010000000000000000", // 2^64: the carry into the high word
		"13433369256225207278633426983318972665": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
		"340282366920938463463374607431768211455": "ffffffffffffffffffffffffffffffff",
		// 32 hex digits, as OTel writes it.
		"0a1b2c3d4e5f60718293a4b5c6d7e8f9": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
		"0A1B2C3D4E5F60718293A4B5C6D7E8F9": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
		// 32 decimal digits: hex when zero-padded, else decimal.
		"00000000000000000000000000000010": "00000000000000000000000000000010",
		"12345678901234567890123456789012": "0000009bd30a3c645943dd1690a03a14",
	} {
		got, err := parseTraceID(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"", "0", "00", strings.Repeat("0", 32), "-1", "1.5", "0x0a", "abc", "g" + strings.Repeat("0", 31),
		strings.Repeat("a", 31), strings.Repeat("a", 33), "340282366920938463463374607431768211456",
		strings.Repeat("9", 100), "1 2", "１２", "a/b", "10\x00",
	} {
		_, err := parseTraceID(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestParseDecimal128AgainstBigInt(t *testing.T) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	n := big.NewInt(1)
	for range 140 { // past 2^128 on purpose
		n.Mul(n, big.NewInt(3))
		s := n.String()
		id, ok := parseDecimal128(s)
		if n.Cmp(limit) >= 0 {
			assert.False(t, ok, s)
			continue
		}
		require.True(t, ok, s)
		assert.Equal(t, n.FillBytes(make([]byte, 16)), id[:], s)
	}
}

func TestCheckFilename(t *testing.T) {
	for _, ok := range []string{"main.go", "cmd/agent/main.go", "a.b/c-d_e.go", "dir/.hidden", "ünï/cödé.go", "..a/b..go"} {
		assert.NoError(t, checkFilename(ok), ok)
	}
	for _, bad := range []string{
		"", ".", "..", "../x.go", "a/../b.go", "a/..", "/abs.go", "C:/x.go", "c:x.go", `a\b.go`, "a//b.go", "a/./b.go",
		"a/", "./a.go", "a\x00b", "a\nb", "\xff.go", strings.Repeat("a", 1025),
	} {
		assert.Error(t, checkFilename(bad), "%q", bad)
	}
}
