package logcapture

import (
	"bytes"
	"fmt"
	"log"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriterPartialLines(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	var next bytes.Buffer
	w := NewWriter(&next, reg, "INFO")

	for _, p := range []string{"hel", "lo\nwor", "ld\r\n", "\n", "tail"} {
		n, err := w.Write([]byte(p))
		require.NoError(t, err)
		require.Equal(t, len(p), n)
	}
	assert.Equal(t, "hello\nworld\r\n\ntail", next.String(), "next gets the bytes unchanged")
	assert.Equal(t, []string{"INFO hello", "INFO world", "INFO "}, stripPrefixes(t, buf.Drain()),
		"the unfinished line waits for its newline")

	_, _ = w.Write([]byte(" end\n"))
	assert.Equal(t, []string{"INFO tail end"}, stripPrefixes(t, buf.Drain()))
}

func TestWriterWithLogPackage(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	l := log.New(NewWriter(nil, reg, "WARNING"), "agent: ", log.Lmsgprefix)
	l.Printf("retry %d", 3)
	l.Print("multi\nline")
	assert.Equal(t, []string{"WARNING agent: retry 3", "WARNING agent: multi", "WARNING line"}, stripPrefixes(t, buf.Drain()))
}

func TestWriterBoundsAnUnfinishedLine(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{MaxLineBytes: 1 << 20})
	reg.Open(testID(1), buf)
	w := NewWriter(nil, reg, "INFO")
	chunk := []byte(strings.Repeat("x", 1000))
	for range 100 {
		_, _ = w.Write(chunk)
	}
	assert.LessOrEqual(t, cap(w.(*writer).lines.split.partial), 32<<10, "kept bytes are bounded")
	_, _ = w.Write([]byte("\n"))
	line := buf.Drain()
	assert.LessOrEqual(t, len(line), 16<<10)
	m := prefixRE.FindString(line)
	require.NotEmpty(t, m)
	kept := strings.Count(line, "x")
	assert.True(t, strings.HasSuffix(line, fmt.Sprintf(" ...[truncated %d bytes]", 100_000-kept)), line[len(line)-40:])
}

func TestWriterWithoutSessionCapturesNothing(t *testing.T) {
	reg := NewRegistry()
	w := NewWriter(nil, reg, "INFO")
	_, _ = w.Write([]byte("before\npart"))
	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	_, _ = w.Write([]byte("ial\n"))
	assert.Equal(t, []string{"INFO partial"}, stripPrefixes(t, buf.Drain()), "a line belongs to the sessions open when it ends")
}

func TestWriterConcurrent(t *testing.T) {
	reg := NewRegistry()
	buf := NewBuffer(Limits{})
	reg.Open(testID(1), buf)
	l := log.New(NewWriter(nil, reg, "INFO"), "", 0)
	w := NewWriter(nil, reg, "INFO")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				l.Printf("g%d i%d", g, i)
				_, _ = fmt.Fprintf(w, "raw g%d i%d\n", g, i)
			}
		})
	}
	wg.Wait()
	lines := stripPrefixes(t, buf.Drain())
	assert.Len(t, lines, 1600)
	for _, line := range lines {
		assert.Regexp(t, `^INFO (raw )?g\d i\d+$`, line)
	}
}
