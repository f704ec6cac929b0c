package logcapture

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fixedTime = time.Date(2026, 11, 21, 10, 15, 21, 462_000_000, time.UTC)

func fixedBuffer(l Limits) *Buffer {
	b := NewBuffer(l)
	b.now = func() time.Time { return fixedTime }
	return b
}

func TestBufferCapsByLines(t *testing.T) {
	b := fixedBuffer(Limits{MaxLines: 3, MaxBytes: 1000, MaxLineBytes: 100})
	for i := 1; i <= 5; i++ {
		b.Append(fmt.Sprintf("l%d", i))
	}
	assert.Equal(t, 3, b.Len())
	assert.Equal(t, 2, b.Dropped())

	assert.Equal(t, "2026-11-21 10:15:21,462 - WARNING - agentops: 2 earlier log lines were dropped (per-session cap: 3 lines, 1000 bytes)\nl3\nl4\nl5", b.Drain())
	assert.Equal(t, 0, b.Len())
	assert.Equal(t, 0, b.Dropped(), "Drain resets the drop count")
	assert.Equal(t, "", b.Drain())

	b.Append("after")
	assert.Equal(t, "after", b.Drain(), "no marker once the drops were reported")
}

func TestBufferCapsByBytes(t *testing.T) {
	b := fixedBuffer(Limits{MaxLines: 100, MaxBytes: 10, MaxLineBytes: 100})
	for _, s := range []string{"aaaa", "bbbb", "cccc", "dddd"} {
		b.Append(s)
	}
	assert.Equal(t, 2, b.Len())
	assert.Equal(t, 2, b.Dropped())
	assert.Equal(t, "2026-11-21 10:15:21,462 - WARNING - agentops: 2 earlier log lines were dropped (per-session cap: 100 lines, 10 bytes)\ncccc\ndddd", b.Drain())
}

func TestBufferDefaultMarker(t *testing.T) {
	b := fixedBuffer(Limits{})
	for range 11234 {
		b.Append("x")
	}
	text := b.Drain()
	first, _, _ := strings.Cut(text, "\n")
	assert.Equal(t, "2026-11-21 10:15:21,462 - WARNING - agentops: 1234 earlier log lines were dropped (per-session cap: 10000 lines, 4194304 bytes)", first)
	assert.Equal(t, 10001, strings.Count(text, "\n")+1)
}

func TestBufferTruncatesLongLines(t *testing.T) {
	b := NewBuffer(Limits{MaxLineBytes: 40})
	b.Append(strings.Repeat("x", 100))
	b.Append(strings.Repeat("y", 40)) // exactly at the limit: kept whole
	got := strings.Split(b.Drain(), "\n")
	require.Len(t, got, 2)
	assert.Equal(t, strings.Repeat("x", 15)+" ...[truncated 85 bytes]", got[0])
	assert.LessOrEqual(t, len(got[0]), 40)
	assert.Equal(t, strings.Repeat("y", 40), got[1])
}

func TestBufferTruncatesAtRuneBoundary(t *testing.T) {
	b := NewBuffer(Limits{MaxLineBytes: 40})
	b.Append(strings.Repeat("é", 50)) // 2 bytes each
	got := b.Drain()
	assert.True(t, utf8.ValidString(got), "%q", got)
	assert.Equal(t, strings.Repeat("é", 7)+" ...[truncated 86 bytes]", got)
}

func TestBufferTinyLineLimitCutsHard(t *testing.T) {
	b := NewBuffer(Limits{MaxLineBytes: 5})
	b.Append("abcdefghij")
	assert.Equal(t, "abcde", b.Drain())
}

func TestBufferZeroLimitsAreDefaults(t *testing.T) {
	assert.Equal(t, DefaultLimits(), NewBuffer(Limits{}).limits)
	assert.Equal(t, Limits{MaxLines: 10000, MaxBytes: 4 << 20, MaxLineBytes: 16 << 10}, DefaultLimits())
	assert.Equal(t, Limits{MaxLines: 7, MaxBytes: 4 << 20, MaxLineBytes: 16 << 10}, NewBuffer(Limits{MaxLines: 7, MaxBytes: -1}).limits)
}

// The ring wraps and grows; compare it with the obvious slice model.
func TestBufferMatchesModel(t *testing.T) {
	const maxLines, maxBytes = 7, 40
	b := NewBuffer(Limits{MaxLines: maxLines, MaxBytes: maxBytes, MaxLineBytes: 100})
	var model []string
	dropped := 0
	for i := range 500 {
		line := strings.Repeat("z", i%9) + fmt.Sprint(i)
		b.Append(line)
		model = append(model, line)
		for {
			total := 0
			for _, l := range model {
				total += len(l)
			}
			if len(model) <= maxLines && total <= maxBytes {
				break
			}
			model = model[1:]
			dropped++
		}
		require.Equal(t, len(model), b.Len())
		require.Equal(t, dropped, b.Dropped())
		if i%37 == 0 {
			text := b.Drain()
			if dropped > 0 {
				_, text, _ = strings.Cut(text, "\n")
			}
			require.Equal(t, strings.Join(model, "\n"), text, "after %d", i)
			model, dropped = nil, 0
		}
	}
}

func TestBufferConcurrentAppend(t *testing.T) {
	b := NewBuffer(Limits{MaxLines: 1000})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				b.Append(fmt.Sprintf("g%d-%d", g, i))
				if i%100 == 0 {
					_ = b.Len()
					_ = b.Dropped()
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1000, b.Len())
	assert.Equal(t, 3000, b.Dropped())
	assert.Len(t, strings.Split(b.Drain(), "\n"), 1001)
}

func TestBufferLineLongerThanMaxBytesIsKeptCut(t *testing.T) {
	b := NewBuffer(Limits{MaxBytes: 30, MaxLineBytes: 100})
	b.Append("old")
	b.Append(strings.Repeat("x", 50))
	assert.Equal(t, 1, b.Len())
	assert.Equal(t, 1, b.Dropped())
	_, last, _ := strings.Cut(b.Drain(), "\n")
	assert.Equal(t, strings.Repeat("x", 6)+" ...[truncated 44 bytes]", last)
}
