package logcapture

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

type scanResult struct {
	out   []byte
	marks []uint64
}

// scanChunks feeds data to a syncScanner cut at the given sizes (cycled).
func scanChunks(data []byte, sizes []int) scanResult {
	var r scanResult
	s := syncScanner{
		out:  func(p []byte) { r.out = append(r.out, p...) },
		mark: func(n uint64) { r.marks = append(r.marks, n) },
	}
	for i := 0; len(data) > 0; i++ {
		n := len(data)
		if len(sizes) > 0 {
			n = min(max(sizes[i%len(sizes)], 1), len(data))
		}
		s.feed(data[:n])
		data = data[n:]
	}
	s.finish()
	return r
}

func TestSyncScanner(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		out   string
		marks []uint64
	}{
		{"plain", "hello\nworld\n", "hello\nworld\n", nil},
		{"sentinel", "a\x00agentops-sync-12\x00b\n", "ab\n", []uint64{12}},
		{"two", "\x00agentops-sync-1\x00\x00agentops-sync-2\x00", "", []uint64{1, 2}},
		{"not ours", "x\x00agentops-x\x00y", "x\x00agentops-x\x00y", nil},
		{"nul then sentinel", "\x00\x00agentops-sync-3\x00!", "\x00!", []uint64{3}},
		{"no digits", "\x00agentops-sync-\x00", "\x00agentops-sync-\x00", nil},
		{"too many digits", "\x00agentops-sync-123456789012345678901\x00", "\x00agentops-sync-123456789012345678901\x00", nil},
		{"overflow", "\x00agentops-sync-99999999999999999999\x00", "\x00agentops-sync-99999999999999999999\x00", nil},
		{"unfinished at end", "tail\x00agentops-sy", "tail\x00agentops-sy", nil},
		{"unfinished digits at end", "\x00agentops-sync-42", "\x00agentops-sync-42", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, sizes := range [][]int{nil, {1}, {2}, {3, 7}, {16}} {
				got := scanChunks([]byte(tc.in), sizes)
				assert.Equal(t, tc.out, string(got.out), "chunks %v", sizes)
				assert.Equal(t, tc.marks, got.marks, "chunks %v", sizes)
			}
		})
	}
}

func FuzzSyncScanner(f *testing.F) {
	f.Add([]byte("hello\nworld\n"), uint64(1))
	f.Add([]byte("a\x00agentops-sync-12\x00b\n"), uint64(2))
	f.Add([]byte("\x00agentops-sync-\x00agentops-sync-7\x00"), uint64(3))
	f.Add([]byte("\x00\x00\x00agentops"), uint64(4))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, seed>>7))
		sizes := make([]int, 1+rng.IntN(8))
		for i := range sizes {
			sizes[i] = 1 + rng.IntN(40)
		}

		// However the stream is cut, the result is the same.
		whole := scanChunks(data, nil)
		cut := scanChunks(data, sizes)
		if !bytes.Equal(whole.out, cut.out) || !equalMarks(whole.marks, cut.marks) {
			t.Fatalf("chunking changed the result: %q/%v vs %q/%v", whole.out, whole.marks, cut.out, cut.marks)
		}

		// Sentinels put into output without NULs come out again, exactly,
		// and nothing else is touched.
		clean := bytes.ReplaceAll(data, []byte{0}, nil)
		var mixed []byte
		var want []uint64
		for i := 0; i <= len(clean); i++ {
			if rng.IntN(8) == 0 {
				n := rng.Uint64()
				mixed = appendSentinel(mixed, n)
				want = append(want, n)
			}
			if i < len(clean) {
				mixed = append(mixed, clean[i])
			}
		}
		got := scanChunks(mixed, sizes)
		if !bytes.Equal(got.out, clean) || !equalMarks(got.marks, want) {
			t.Fatalf("got %q/%v, want %q/%v", got.out, got.marks, clean, want)
		}
	})
}

func equalMarks(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
