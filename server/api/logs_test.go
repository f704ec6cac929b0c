package api

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestParseLog(t *testing.T) {
	text := "\n" + // the SDK's leading empty line
		"2025-03-01 12:00:00,001 - INFO - agent started\n" +
		"2025-03-01 12:00:00,250 - WARNING - slow tool: web_search\n" +
		"2025-03-01 12:00:01,000 - ERROR - tool failed\n" +
		"Traceback (most recent call last):\n" +
		"  File \"main.py\", line 3\n" +
		"\n" +
		"ValueError: bad\n" +
		"2025-03-01 12:00:02,000 - DEBUG - \n" +
		"2025-03-01 12:00:03,000 - CRITICAL - done\r\n" +
		"\n\n"
	assert.Equal(t, []LogLine{
		{Time: "2025-03-01 12:00:00,001", Level: "INFO", Message: "agent started"},
		{Time: "2025-03-01 12:00:00,250", Level: "WARNING", Message: "slow tool: web_search"},
		{Time: "2025-03-01 12:00:01,000", Level: "ERROR", Message: "tool failed\nTraceback (most recent call last):\n  File \"main.py\", line 3\n\nValueError: bad"},
		{Time: "2025-03-01 12:00:02,000", Level: "DEBUG", Message: ""},
		{Time: "2025-03-01 12:00:03,000", Level: "CRITICAL", Message: "done"},
	}, ParseLog(text))
}

func TestParseLogOddInput(t *testing.T) {
	assert.Equal(t, []LogLine{}, ParseLog(""))
	assert.Equal(t, []LogLine{}, ParseLog("\n"))
	assert.Equal(t, []LogLine{{Message: "plain output\nmore"}}, ParseLog("plain output\nmore\n"),
		"text before the first entry is an entry of its own")
	assert.Equal(t, []LogLine{{Message: "\n\nafter two blank lines"}}, ParseLog("\n\n\nafter two blank lines"),
		"only one leading empty line is the SDK's")
	for _, notHeader := range []string{
		"2025-03-01 12:00:00.001 - INFO - dot before millis",
		"2025-03-01T12:00:00,001 - INFO - T separator",
		"2025-03-01 12:00:00,001 - - no level",
		"2025-03-01 12:00:00,001 - INFO: colon",
		"2025-03-01 12:00:00,001 - VERYLONGLEVELNAME - x",
		"25-03-01 12:00:00,001 - INFO - short year",
	} {
		got := ParseLog("2025-03-01 12:00:00,000 - INFO - first\n" + notHeader)
		assert.Len(t, got, 1, notHeader)
		assert.True(t, strings.HasSuffix(got[0].Message, "\n"+notHeader), notHeader)
	}
	assert.Equal(t, []LogLine{{Time: "2025-03-01 12:00:00,001", Level: "INFO", Message: ""}},
		ParseLog("2025-03-01 12:00:00,001 - INFO -"), "a line whose message is empty and trimmed")
}

// FuzzParseLog: log text is whatever the uploading program wrote.
func FuzzParseLog(f *testing.F) {
	f.Add("\n2025-03-01 12:00:00,001 - INFO - hi\ncontinued\n")
	f.Add("2025-03-01 12:00:00,001 - ERROR -")
	f.Add("\r\n\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		lines := ParseLog(text)
		if lines == nil {
			t.Fatal("nil lines")
		}
		var msgBytes int
		for _, l := range lines {
			if l.Time != "" && len(l.Time) != len("2006-01-02 15:04:05,000") {
				t.Fatalf("time %q", l.Time)
			}
			if l.Time == "" && l.Level != "" {
				t.Fatalf("a level without a time: %+v", l)
			}
			msgBytes += len(l.Message)
		}
		if msgBytes > len(text) {
			t.Fatalf("messages hold %d bytes of a %d-byte text", msgBytes, len(text))
		}
		if utf8.ValidString(text) {
			for _, l := range lines {
				if !utf8.ValidString(l.Message) {
					t.Fatalf("valid text split inside a rune: %q", l.Message)
				}
			}
		}
	})
}
