package normalize

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A reader of the OTel message JSON for the shapes instrumentations write,
// several times faster than encoding/json's reflection and sharing memory
// with the attribute's string instead of copying it. It decides nothing of
// its own: it gives exactly what encoding/json gives into jsonMessage (the
// fuzz test compares the two), and on anything it does not handle (a
// syntax error, a value of an unexpected type, an escaped or non-ASCII
// key, nesting past maxFastDepth) it reports !ok and encoding/json decides.

const maxFastDepth = 64

// fastJSON is the reader's state. Its slices are kept between spans (a
// scan holds one per direction): reset clears them.
type fastJSON struct {
	s     string
	i     int
	msgs  []jsonMessage
	spans []partSpan
	parts []jsonPart // the parts of all messages, cut up at the end
}

// partSpan delimits one message's parts in fastJSON.parts; lo < 0 for a
// message without parts.
type partSpan struct{ lo, hi int }

func (p *fastJSON) reset() {
	p.s, p.i = "", 0
	p.msgs = resetSlice(p.msgs)
	p.spans = resetSlice(p.spans)
	p.parts = resetSlice(p.parts)
}

// messages reads doc, an array of messages or one message. The result is
// valid until reset.
func (p *fastJSON) messages(doc string) ([]jsonMessage, bool) {
	p.reset()
	p.s = doc
	p.ws()
	if p.i >= len(p.s) {
		return nil, false
	}
	one := func() bool {
		var m jsonMessage
		lo, hi, ok := p.message(&m)
		if !ok {
			return false
		}
		p.msgs = append(p.msgs, m)
		p.spans = append(p.spans, partSpan{lo, hi})
		return true
	}
	switch p.s[p.i] {
	case '{':
		if !one() {
			return nil, false
		}
	case '[':
		p.i++
		p.ws()
		if p.peek() == ']' {
			p.i++
			break
		}
		for {
			p.ws()
			if p.peek() != '{' || !one() {
				return nil, false
			}
			p.ws()
			if c := p.next(); c == ']' {
				break
			} else if c != ',' {
				return nil, false
			}
		}
	default:
		return nil, false
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, false
	}
	for k, sp := range p.spans {
		if sp.lo >= 0 {
			p.msgs[k].Parts = p.parts[sp.lo:sp.hi:sp.hi]
		}
	}
	return p.msgs, true
}

// fastMessages reads doc with a fastJSON of its own.
func fastMessages(doc string) ([]jsonMessage, bool) {
	var p fastJSON
	return p.messages(doc)
}

// fastParts reads doc, an array of parts or one part (system instructions).
func fastParts(doc string) ([]jsonPart, bool) {
	p := fastJSON{s: doc}
	p.ws()
	switch p.peek() {
	case '{':
		var part jsonPart
		if !p.part(&part) {
			return nil, false
		}
		p.parts = append(p.parts, part)
	case '[':
		lo, hi, ok := p.partList()
		if !ok {
			return nil, false
		}
		p.parts = p.parts[lo:hi]
		if p.parts == nil {
			p.parts = []jsonPart{}
		}
	default:
		return nil, false
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, false
	}
	return p.parts, true
}

func (p *fastJSON) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *fastJSON) next() byte {
	if p.i < len(p.s) {
		p.i++
		return p.s[p.i-1]
	}
	return 0
}

func (p *fastJSON) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// members walks the members of an object, calling member for each key
// with p at its value; member must consume the value.
func (p *fastJSON) members(member func(key string) bool) bool {
	if p.next() != '{' {
		return false
	}
	p.ws()
	if p.peek() == '}' {
		p.i++
		return true
	}
	for {
		p.ws()
		key, ok := p.key()
		if !ok {
			return false
		}
		p.ws()
		if p.next() != ':' {
			return false
		}
		p.ws()
		if !member(key) {
			return false
		}
		p.ws()
		switch p.next() {
		case '}':
			return true
		case ',':
		default:
			return false
		}
	}
}

// key reads an object key: plain ASCII only, so that matching it the way
// encoding/json does (case-insensitively) is simple.
func (p *fastJSON) key() (string, bool) {
	if p.next() != '"' {
		return "", false
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], true
		case c == '\\' || c < ' ' || c >= utf8.RuneSelf:
			return "", false
		}
		p.i++
	}
	return "", false
}

// message reads one message object; lo and hi delimit its parts in
// p.parts (lo < 0 when it has none).
func (p *fastJSON) message(m *jsonMessage) (lo, hi int, ok bool) {
	lo, hi = -1, -1
	seenParts := false
	ok = p.members(func(key string) bool {
		var ok bool
		switch {
		case strings.EqualFold(key, "role"):
			m.Role, ok = p.text()
		case strings.EqualFold(key, "finish_reason"):
			m.FinishReason, ok = p.text()
		case strings.EqualFold(key, "content"):
			m.Content, ok = p.text()
		case strings.EqualFold(key, "tool_call_id"):
			m.ToolCallID, ok = p.text()
		case strings.EqualFold(key, "parts"):
			if seenParts {
				// encoding/json would decode the second array over the
				// first one's elements: leave that oddity to it.
				return false
			}
			seenParts = true
			if strings.HasPrefix(p.s[p.i:], "null") {
				p.i += 4
				lo, hi = -1, -1
				return true
			}
			lo, hi, ok = p.partList()
		default:
			ok = p.skip(0)
		}
		return ok
	})
	return lo, hi, ok
}

// partList reads an array of parts into p.parts.
func (p *fastJSON) partList() (lo, hi int, ok bool) {
	if p.next() != '[' {
		return 0, 0, false
	}
	lo = len(p.parts)
	p.ws()
	if p.peek() == ']' {
		p.i++
		return lo, lo, true
	}
	for {
		p.ws()
		var part jsonPart
		if p.peek() != '{' || !p.part(&part) {
			return 0, 0, false
		}
		p.parts = append(p.parts, part)
		p.ws()
		switch p.next() {
		case ']':
			return lo, len(p.parts), true
		case ',':
		default:
			return 0, 0, false
		}
	}
}

func (p *fastJSON) part(part *jsonPart) bool {
	return p.members(func(key string) bool {
		var ok bool
		switch {
		case strings.EqualFold(key, "type"):
			part.Type, ok = p.text()
		case strings.EqualFold(key, "content"):
			part.Content, ok = p.text()
		case strings.EqualFold(key, "id"):
			part.ID, ok = p.text()
		case strings.EqualFold(key, "name"):
			part.Name, ok = p.text()
		case strings.EqualFold(key, "arguments"):
			part.Arguments, ok = p.text()
		case strings.EqualFold(key, "response"):
			part.Response, ok = p.text()
		default:
			ok = p.skip(0)
		}
		return ok
	})
}

// text reads any value as flexText does: a string decoded, null as "",
// anything else as its JSON text.
func (p *fastJSON) text() (flexText, bool) {
	switch p.peek() {
	case '"':
		s, ok := p.str()
		return flexText(s), ok
	case 'n':
		if strings.HasPrefix(p.s[p.i:], "null") {
			p.i += 4
			return "", true
		}
		return "", false
	}
	start := p.i
	if !p.skip(0) {
		return "", false
	}
	return flexText(p.s[start:p.i]), true
}

// str reads a string: the bytes between the quotes when there are no
// escapes (as flexText keeps them), else decoded as encoding/json decodes.
func (p *fastJSON) str() (string, bool) {
	p.i++ // the opening quote
	start := p.i
	escaped := false
	for p.i < len(p.s) {
		if !stringSpecial[p.s[p.i]] {
			p.i++
			continue
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			raw := p.s[start : p.i-1]
			if !escaped {
				return raw, true
			}
			return unescape(raw)
		case c == '\\':
			escaped = true
			p.i += 2 // the escape is checked by unescape
			continue
		case c < ' ':
			return "", false
		}
		p.i++
	}
	return "", false
}

// stringSpecial marks the bytes that end a run of plain string content:
// the quote, the backslash and the control characters.
var stringSpecial = func() (t [256]bool) {
	for c := range ' ' {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// unescape decodes the inside of a JSON string with escapes, replacing
// invalid UTF-8 and unpaired surrogates with U+FFFD as encoding/json does.
func unescape(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			if r+1 >= len(s) {
				return "", false
			}
			switch s[r+1] {
			case '"', '\\', '/':
				b.WriteByte(s[r+1])
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				rr := hex4(s[r+2:])
				if rr < 0 {
					return "", false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					rr1 := rune(-1)
					if strings.HasPrefix(s[r:], `\u`) {
						rr1 = hex4(s[r+2:])
					}
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						r += 6
						b.WriteRune(dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b.WriteRune(rr)
				continue
			default:
				return "", false
			}
			r += 2
		case c < ' ' || c == '"':
			return "", false
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			r++
		default:
			rr, size := utf8.DecodeRuneInString(s[r:])
			r += size
			b.WriteRune(rr)
		}
	}
	return b.String(), true
}

// hex4 reads four hex digits, or returns -1.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for i := range 4 {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// skip consumes one value, checking its syntax.
func (p *fastJSON) skip(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	switch c := p.peek(); {
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '{':
		return p.members(func(string) bool { return p.skip(depth + 1) })
	case c == '[':
		p.i++
		p.ws()
		if p.peek() == ']' {
			p.i++
			return true
		}
		for {
			p.ws()
			if !p.skip(depth + 1) {
				return false
			}
			p.ws()
			switch p.next() {
			case ']':
				return true
			case ',':
			default:
				return false
			}
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	}
	return false
}

func (p *fastJSON) literal(lit string) bool {
	if !strings.HasPrefix(p.s[p.i:], lit) {
		return false
	}
	p.i += len(lit)
	return true
}

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *fastJSON) number() bool {
	digits := func() int {
		n := 0
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.peek() == '-' {
		p.i++
	}
	switch c := p.peek(); {
	case c == '0':
		p.i++
	case '1' <= c && c <= '9':
		digits()
	default:
		return false
	}
	if p.peek() == '.' {
		p.i++
		if digits() == 0 {
			return false
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
