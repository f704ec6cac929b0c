package logcapture

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAppendPrefix(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tm := time.Date(2026, 11, 21, 11, 15, 21, 462_999_999, cet)
	assert.Equal(t, "2026-11-21 10:15:21,462 - INFO - ", string(AppendPrefix(nil, tm, "INFO")),
		"UTC, comma before the milliseconds, truncated not rounded")

	early := time.Date(987, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	assert.Equal(t, "line: 0987-01-02 03:04:05,006 - WARNING - ", string(AppendPrefix([]byte("line: "), early, "WARNING")))
}

func TestLevelName(t *testing.T) {
	for _, tc := range []struct {
		level slog.Level
		want  string
	}{
		{slog.LevelDebug - 4, "DEBUG"},
		{slog.LevelDebug, "DEBUG"},
		{slog.LevelInfo - 1, "DEBUG"},
		{slog.LevelInfo, "INFO"},
		{slog.LevelInfo + 2, "INFO"},
		{slog.LevelWarn, "WARNING"},
		{slog.LevelError - 1, "WARNING"},
		{slog.LevelError, "ERROR"},
		{slog.LevelError + 3, "ERROR"},
		{slog.LevelError + 4, "CRITICAL"},
		{slog.LevelError + 100, "CRITICAL"},
	} {
		assert.Equal(t, tc.want, LevelName(tc.level), "level %d", tc.level)
	}
}

func TestTruncateBytesCountsDroppedBytes(t *testing.T) {
	line := []byte("0123456789012345678901234567890123456789") // 40
	got := truncateBytes(line, 1000, 35)
	// 35 - len(" ...[truncated 1040 bytes]") = 9 kept, 1031 cut.
	assert.Equal(t, "012345678 ...[truncated 1031 bytes]", string(got))

	short := []byte("abc")
	assert.Equal(t, "abc", string(truncateBytes(short, 0, 35)))
	assert.Equal(t, "ab", string(truncateBytes([]byte("abc"), 5, 2)), "limit below the marker size cuts hard")
	assert.Equal(t, "a", string(truncateBytes([]byte("a"), 5, 2)))
}
