package pricing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// file is the JSON form of a price table.
type file struct {
	Version string      `json:"version"`
	Note    string      `json:"note,omitempty"`
	Models  []fileModel `json:"models"`
}

// fileModel is one entry of a price table, in US dollars per 1M tokens.
type fileModel struct {
	Pattern    string   `json:"pattern"`
	Provider   string   `json:"provider,omitempty"` // documentation only
	Note       string   `json:"note,omitempty"`     // documentation only
	Input      *float64 `json:"input"`
	Output     *float64 `json:"output"`
	CacheRead  *float64 `json:"cache_read"`
	CacheWrite *float64 `json:"cache_write"`
	Reasoning  *float64 `json:"reasoning"`
}

// maxFileSize bounds what Load reads: a price table is a few kilobytes.
const maxFileSize = 8 << 20

// Load reads the price table in the file at path (the format of the
// embedded table, see the package doc) and returns it laid over the
// default table: an entry whose pattern the default also has replaces it,
// the others are added, and between two globs of the same length the
// file's wins. The error names the file and, for a bad entry, its index
// and pattern; a syntax error gives the line and column. The file's
// "version" is optional.
func Load(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pricing: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("pricing: %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("pricing: %s: larger than %d bytes; is this a price table?", path, maxFileSize)
	}
	user, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("pricing: %s: %w", path, err)
	}
	if len(user.Models) == 0 {
		return nil, fmt.Errorf(`pricing: %s: no "models": the file must list at least one {"pattern": ..., "input": ...}`, path)
	}
	def := Default()
	version := user.Version
	if version == "" {
		version = "custom"
	}
	return build(def.version+"+"+version, defaultFile.Models, user.Models), nil
}

// parse decodes and checks a price table.
func parse(data []byte) (*file, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, describeJSONError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the price table's closing brace")
	}
	seen := make(map[string]int, len(f.Models))
	for i, m := range f.Models {
		if err := m.check(); err != nil {
			return nil, fmt.Errorf("models[%d] (pattern %q): %w", i, m.Pattern, err)
		}
		p := strings.ToLower(strings.TrimSpace(m.Pattern))
		if j, dup := seen[p]; dup {
			return nil, fmt.Errorf("models[%d]: pattern %q repeats models[%d] (patterns match case-insensitively)", i, m.Pattern, j)
		}
		seen[p] = i
	}
	return &f, nil
}

func (m fileModel) check() error {
	if strings.TrimSpace(m.Pattern) == "" {
		return errors.New(`"pattern" is missing or empty`)
	}
	if m.Input == nil {
		return errors.New(`"input" (US dollars per 1M input tokens) is missing`)
	}
	for _, p := range []struct {
		name string
		v    *float64
	}{{"input", m.Input}, {"output", m.Output}, {"cache_read", m.CacheRead}, {"cache_write", m.CacheWrite}, {"reasoning", m.Reasoning}} {
		if p.v != nil && (*p.v < 0 || math.IsInf(*p.v, 0) || math.IsNaN(*p.v)) {
			return fmt.Errorf("%q is %v; prices are US dollars per 1M tokens, zero or more", p.name, *p.v)
		}
	}
	return nil
}

// describeJSONError turns a decoding error into one that says where.
func describeJSONError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		line, col := position(data, syntax.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
	case errors.As(err, &typ):
		line, col := position(data, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "the table"
		}
		return fmt.Errorf("line %d, column %d: %s must be %s, not a JSON %s", line, col, field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("empty or truncated: a price table is a JSON object with \"models\"")
	}
	// Unknown fields and the rest: encoding/json's message names the field.
	return err
}

// position is the 1-based line and column of byte offset off in data.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}
