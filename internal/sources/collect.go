package sources

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/agentops-go/agentops/internal/redact"
)

// redactSlack is how far past MaxFileBytes a truncated file is read, so a
// secret that straddles the cut is still seen whole by the redactor and
// never leaks as a prefix.
const redactSlack = 64 << 10

// candidate is a file that passed discovery and now meets the gates.
type candidate struct {
	path string // module-relative slash path, the name in the bundle
	name string // the name to open in the collector's fs.FS
}

// collector applies the gates shared by FromDir, FromFS and Generate.
type collector struct {
	fsys    fs.FS
	limits  Limits // resolved
	secrets []string
	skipped []Skipped
	// walked counts the directory entries FromDir has seen, up to
	// walkBudget (maxWalkEntries).
	walked, walkBudget int
}

func newCollector(fsys fs.FS, l Limits, secrets []string) *collector {
	return &collector{fsys: fsys, limits: l.resolve(), secrets: secrets, walkBudget: maxWalkEntries}
}

func (c *collector) skip(p, reason string) {
	c.skipped = append(c.skipped, Skipped{Path: p, Reason: reason})
}

// admit runs the name gates (Excluded, ValidPath) and reports whether the
// file is still a candidate.
func (c *collector) admit(p string) bool {
	if reason, ok := Excluded(p); ok {
		c.skip(p, "excluded: "+reason)
		return false
	}
	if !ValidPath(p) {
		c.skip(p, "invalid path")
		return false
	}
	return true
}

// maxLoaders bounds the goroutines that read and redact files: redaction
// dominates the cost, and a background upload should not take every core
// of the agent's process.
const maxLoaders = 4

// collect reads the candidates in sorted path order under the limits and
// returns the files and everything skipped, both sorted by path. Files are
// read and redacted by a few goroutines ahead of the in-order pass that
// applies the limits, so the result is the same as a sequential read.
func (c *collector) collect(cands []candidate) ([]File, []Skipped) {
	slices.SortStableFunc(cands, func(a, b candidate) int { return strings.Compare(a.path, b.path) })
	cands = slices.CompactFunc(cands, func(a, b candidate) bool { return a.path == b.path })

	loads := c.loadAhead(cands)
	defer loads.stop()

	files := make([]File, 0, min(len(cands), c.limits.MaxFiles))
	total := 0
	for i, cand := range cands {
		if len(files) >= c.limits.MaxFiles {
			loads.stop()
			c.skip(cand.path, fmt.Sprintf("over the %d-file cap", c.limits.MaxFiles))
			continue
		}
		f, err := loads.wait(i)
		if err != nil {
			c.skip(cand.path, "unreadable: "+unwrapPathError(err))
			continue
		}
		if len(f.Content) > c.limits.MaxTotalBytes-total {
			c.skip(cand.path, fmt.Sprintf("over the %d-byte total cap", c.limits.MaxTotalBytes))
			continue
		}
		total += len(f.Content)
		files = append(files, f)
	}
	slices.SortStableFunc(c.skipped, func(a, b Skipped) int { return cmp.Compare(a.Path, b.Path) })
	return files, c.skipped
}

// loading is the loads collect waits on, one per candidate, filled in
// index order by up to maxLoaders goroutines.
type loading struct {
	slots   []loadSlot
	next    atomic.Int64 // the next index a loader claims
	stopped atomic.Bool
	wg      sync.WaitGroup
}

type loadSlot struct {
	done chan struct{}
	file File
	err  error
}

func (c *collector) loadAhead(cands []candidate) *loading {
	l := &loading{slots: make([]loadSlot, len(cands))}
	for i := range l.slots {
		l.slots[i].done = make(chan struct{})
	}
	for range min(runtime.GOMAXPROCS(0), maxLoaders, len(cands)) {
		l.wg.Go(func() {
			for !l.stopped.Load() {
				i := int(l.next.Add(1) - 1)
				if i >= len(cands) {
					return
				}
				s := &l.slots[i]
				s.file, s.err = c.load(cands[i])
				close(s.done)
			}
		})
	}
	return l
}

// wait returns the load of candidate i once it is done.
func (l *loading) wait(i int) (File, error) {
	s := &l.slots[i]
	<-s.done
	return s.file, s.err
}

// stop tells the loaders to claim nothing more and waits for them; it may
// be called more than once.
func (l *loading) stop() {
	l.stopped.Store(true)
	l.wg.Wait()
}

// load reads, redacts and, when too big, truncates one file.
func (c *collector) load(cand candidate) (File, error) {
	capBytes := c.limits.MaxFileBytes
	limit := int64(capBytes) + redactSlack
	if limit < 0 { // no limit: MaxInt plus the slack overflowed
		limit = math.MaxInt64
	}
	data, size, err := readCapped(c.fsys, cand.name, limit)
	if err != nil {
		return File{}, err
	}
	content := redact.String(string(data), c.secrets...)
	f := File{Path: cand.path, Size: size}
	if size > capBytes {
		content = truncate(content, size, capBytes)
		f.Truncated = true
	} else {
		f.Truncated = hasTruncationMarker(content)
	}
	sum := sha256.Sum256([]byte(content))
	f.Content, f.Hash = content, hex.EncodeToString(sum[:])
	return f, nil
}

// readCapped reads at most limit bytes of name. size is the file's size:
// what was read when the whole file fit, the larger of its stat size and
// what was read otherwise.
func readCapped(fsys fs.FS, name string, limit int64) (data []byte, size int, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("not a regular file")
	}
	var buf bytes.Buffer
	buf.Grow(int(min(max(st.Size(), 0), limit)) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, limit)); err != nil {
		return nil, 0, err
	}
	n := int64(buf.Len())
	if n == limit {
		n = max(n, st.Size())
	}
	return buf.Bytes(), int(n), nil
}

// markerFormat is the final line of a truncated file's content.
const markerFormat = "// [agentops: truncated: %d bytes over the %d-byte cap]\n"

// truncate cuts s so that it, a newline and the marker line fit in
// capBytes (when the cap leaves room for the marker at all). It cuts at a
// line end when one is in the second half of what is kept, else at a rune
// boundary.
func truncate(s string, size, capBytes int) string {
	marker := fmt.Sprintf(markerFormat, size-capBytes, capBytes)
	keep := min(max(capBytes-len(marker)-1, 0), len(s))
	for keep > 0 && keep < len(s) && !utf8.RuneStart(s[keep]) {
		keep--
	}
	head := s[:keep]
	if i := strings.LastIndexByte(head, '\n'); i >= 0 && i >= len(head)/2 {
		head = head[:i+1]
	}
	if head != "" && !strings.HasSuffix(head, "\n") {
		head += "\n"
	}
	return head + marker
}

// hasTruncationMarker reports whether s ends with the marker line, as a
// file cut by Generate and read back by FromFS does.
func hasTruncationMarker(s string) bool {
	if !strings.HasSuffix(s, "-byte cap]\n") {
		return false
	}
	last := s[strings.LastIndexByte(s[:len(s)-1], '\n')+1:]
	var over, limit int64
	n, err := fmt.Sscanf(last, markerFormat, &over, &limit)
	return err == nil && n == 2
}
