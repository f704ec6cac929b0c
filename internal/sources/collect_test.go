package sources

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecretAcrossTheCutNeverLeaks(t *testing.T) {
	t.Parallel()
	const capBytes = 200
	prefix := "package x\n\nvar s = \""
	tail := "\"\n" + strings.Repeat("// after the key\n", 40)
	// Place the key so that the cut falls 8 bytes into it: cutting first
	// and redacting after would leave "sk-proj-" and too few characters
	// for the key pattern to match.
	size := 0
	var content string
	for pad := 0; pad < capBytes; pad++ {
		content = prefix + strings.Repeat("a", pad) + " " + openAIKey + tail
		size = len(content)
		marker := fmt.Sprintf(markerFormat, size-capBytes, capBytes)
		if strings.Index(content, openAIKey) == capBytes-len(marker)-1-8 {
			break
		}
	}
	require.Equal(t, capBytes-len(fmt.Sprintf(markerFormat, size-capBytes, capBytes))-1-8, strings.Index(content, openAIKey))

	b, err := FromFS(fstest.MapFS{"x.go": {Data: []byte(content)}}, Limits{MaxFileBytes: capBytes})
	require.NoError(t, err)
	f := b.Files[0]
	assert.True(t, f.Truncated)
	assert.NotContains(t, f.Content, "sk-proj")
	assert.Contains(t, f.Content, " [REDACTE", "the mask, not the key, is what the cut went through")
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	t.Run("rune boundary", func(t *testing.T) {
		s := strings.Repeat("é", 200) // no newline to cut at
		got := truncate(s, len(s), 100)
		assert.True(t, utf8.ValidString(got))
		assert.LessOrEqual(t, len(got), 100)
		assert.True(t, hasTruncationMarker(got))
	})
	t.Run("cap smaller than the marker", func(t *testing.T) {
		got := truncate("package main\n", 5000, 10)
		assert.Equal(t, "// [agentops: truncated: 4990 bytes over the 10-byte cap]\n", got)
	})
	t.Run("line end late enough", func(t *testing.T) {
		s := strings.Repeat("0123456789\n", 30)
		got := truncate(s, len(s), 150)
		head, _, ok := strings.Cut(got, "// [agentops")
		require.True(t, ok)
		assert.True(t, strings.HasPrefix(s, head))
		assert.True(t, strings.HasSuffix(head, "\n"))
		assert.Zero(t, len(head)%11, "whole lines kept")
	})
}

func TestHasTruncationMarker(t *testing.T) {
	t.Parallel()
	assert.True(t, hasTruncationMarker("// [agentops: truncated: 1 bytes over the 2-byte cap]\n"))
	assert.True(t, hasTruncationMarker("x\n// [agentops: truncated: 10 bytes over the 20-byte cap]\n"))
	assert.False(t, hasTruncationMarker("x\n// [agentops: truncated: 10 bytes over the 20-byte cap]"))
	assert.False(t, hasTruncationMarker("x\n// [agentops: truncated: ten bytes over the 20-byte cap]\n"))
	assert.False(t, hasTruncationMarker("// a 20-byte cap]\n"))
	assert.False(t, hasTruncationMarker(""))
}
