package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/agentops-go/agentops/server/model"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors of the Store. They are the model package's, so the other parts
// of the server can test for them without importing store.
var (
	// ErrNotFound: no such session, span set, file or object.
	ErrNotFound = model.ErrNotFound
	// ErrOverloaded: Write found the queue full; ingest answers 503 with
	// Retry-After.
	ErrOverloaded = model.ErrOverloaded
	// ErrClosed: the Store was closed.
	ErrClosed = model.ErrClosed
	// ErrNewerSchema: the database was written by a newer agentops.
	ErrNewerSchema = errors.New("store: database schema is newer than this program")
	// ErrBadCursor: SessionQuery.Cursor is not a cursor this store issued
	// (the API answers 400).
	ErrBadCursor = fmt.Errorf("%w: the cursor is not one this server issued; start again without it", model.ErrInvalid)
)

// Defaults of Options.
const (
	DefaultQueueSize     = 256
	DefaultMaxBatchSpans = 4096
	DefaultReadConns     = 4
)

// Options configure a Store. The zero value is usable.
type Options struct {
	// QueueSize is how many Write requests may wait for the writer before
	// Write answers ErrOverloaded (default 256).
	QueueSize int
	// MaxBatchSpans caps the spans of the batches the writer coalesces
	// into one transaction (default 4096). A larger single batch is still
	// written whole.
	MaxBatchSpans int
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
	// OnCommit is called on the writer goroutine after each commit that
	// changed or deleted sessions, before the Writes it committed return
	// (so an acknowledged batch's event is already published). It must not
	// block, and must not call the Store's write methods: the writer waits
	// for it. A panic in it is logged and swallowed.
	OnCommit func(Commit)
	// Logger gets the store's own problems; default slog.Default().
	Logger *slog.Logger
	// Now is the clock (for tests); default time.Now.
	Now func() time.Time
}

// Commit tells what a committed transaction changed, for the live event
// stream.
type Commit struct {
	Sessions []SessionChange
	// Deleted are the trace IDs of the sessions a delete removed.
	Deleted []string
}

// SessionChange is one session a commit touched.
type SessionChange struct {
	Session model.Session // the roll-up after the commit
	New     bool          // first time this trace was seen
	// Ended: this commit brought the session root's end (the root span,
	// or its end state).
	Ended bool
}

// Store is the local backend's SQLite storage. One goroutine writes,
// batching queued Writes into transactions; reads go through a separate
// pool of read-only connections and never wait for the writer (WAL). All
// methods are safe for concurrent use.
type Store struct {
	path string
	log  *slog.Logger
	now  func() time.Time

	wdb, rdb *sql.DB
	w        *writer
	queue    chan *request
	done     chan struct{} // closed when the writer goroutine returns

	cdb      *sql.DB // the checkpointer's connection
	kick     chan struct{}
	ckptDone chan struct{}

	mu     sync.RWMutex // guards closed and sends on queue
	closed bool

	closeOnce sync.Once
	closeErr  error

	rs readStmts
}

// Open opens (creating it and its directory if needed) the database at
// path, applies the schema migrations it lacks, and starts the writer. A
// database from a newer agentops is refused (ErrNewerSchema). path must
// name a file: the read pool and the writer share it through the WAL.
func Open(ctx context.Context, path string, o Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: %q: the database must be a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: creating the database directory: %w", err)
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.MaxBatchSpans <= 0 {
		o.MaxBatchSpans = DefaultMaxBatchSpans
	}
	if o.ReadConns <= 0 {
		o.ReadConns = DefaultReadConns
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Store{path: abs, log: o.Logger, now: o.Now, queue: make(chan *request, o.QueueSize), done: make(chan struct{})}

	s.wdb, err = sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	fail := func(err error) (*Store, error) {
		if s.w != nil {
			s.w.st.close()
			if s.w.conn != nil {
				s.w.conn.Close()
			}
		}
		s.rs.close()
		if s.rdb != nil {
			s.rdb.Close()
		}
		if s.cdb != nil {
			s.cdb.Close()
		}
		s.wdb.Close()
		return nil, err
	}
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return fail(fmt.Errorf("store: opening %s: %w", abs, err))
	}
	s.w = &writer{
		conn:        conn,
		log:         o.Logger,
		now:         o.Now,
		onCommit:    o.OnCommit,
		maxSpans:    o.MaxBatchSpans,
		totals:      totalsColumns(),
		resourceIDs: make(map[[16]byte]int64),
		indexed:     make(map[string]map[uint64]struct{}),
		seed:        maphash.MakeSeed(),
	}
	if err := initFile(ctx, conn); err != nil {
		return fail(fmt.Errorf("store: opening %s: %w", abs, err))
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fail(fmt.Errorf("store: opening %s: %w", abs, err))
	}
	if !strings.EqualFold(mode, "wal") {
		return fail(fmt.Errorf("store: %s: journal mode is %q, not WAL", abs, mode))
	}
	if err := migrate(ctx, conn); err != nil {
		return fail(err)
	}
	if s.w.st, err = prepareWriteStmts(ctx, conn); err != nil {
		return fail(err)
	}

	s.rdb, err = sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return fail(fmt.Errorf("store: %w", err))
	}
	s.rdb.SetMaxOpenConns(o.ReadConns)
	s.rdb.SetMaxIdleConns(o.ReadConns)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)
	if s.rs, err = prepareReadStmts(ctx, s.rdb); err != nil {
		return fail(err)
	}
	if s.cdb, err = sql.Open("sqlite", dsn(abs, false)); err != nil {
		return fail(fmt.Errorf("store: %w", err))
	}
	s.cdb.SetMaxOpenConns(1)
	if err := s.w.recoverSearch(ctx); err != nil {
		return fail(err)
	}
	s.kick, s.ckptDone = make(chan struct{}, 1), make(chan struct{})
	s.w.checkpoint = s.kick
	go checkpointLoop(s.cdb, o.Logger, s.kick, s.ckptDone)
	go s.w.run(s.queue, s.done)
	return s, nil
}

// dsn is the modernc.org/sqlite data source for path. WAL with
// synchronous=NORMAL: a commit is in the WAL file before Write returns,
// which survives the process being killed (not a power cut: that would
// take synchronous=FULL and an fsync per commit).
func dsn(path string, write bool) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Add("_pragma", "temp_store(MEMORY)")
	if write {
		q.Set("_synchronous", "NORMAL")
		q.Add("_pragma", "cache_size(-32768)")
		q.Add("_pragma", "journal_size_limit(67108864)")
		q.Add("_pragma", walBackstopPragma)
	} else {
		q.Set("_query_only", "1")
		q.Add("_pragma", "cache_size(-16384)")
	}
	return u.String() + "?" + q.Encode()
}

// pageSize is the page size of a new database. An LLM span is a row of 2
// to 3 KiB: on 4 KiB pages each takes a page of its own and leaves a third
// of it empty, and every page is one more WAL frame to write and to
// checkpoint. 8 KiB measured fastest (BenchmarkWrite); 16 KiB packs rows a
// little better but rewrites more bytes per small transaction.
const pageSize = 8192

// initFile sets what a database file keeps for good, before its first
// table: the page size and incremental auto-vacuum (so retention can give
// pages back). Then WAL, which also persists. On an existing database the
// first two change nothing.
func initFile(ctx context.Context, c *sql.Conn) error {
	var tables int
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return err
	}
	if tables == 0 {
		for _, p := range []string{fmt.Sprintf("PRAGMA page_size = %d", pageSize), "PRAGMA auto_vacuum = INCREMENTAL"} {
			if _, err := c.ExecContext(ctx, p); err != nil {
				return err
			}
		}
	}
	_, err := c.ExecContext(ctx, "PRAGMA journal_mode = WAL")
	return err
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Write queues b for the writer and returns once it is committed. It
// returns ErrOverloaded at once when the queue is full, ErrClosed after
// Close, or ctx's error if ctx ends first (the batch may still be
// committed: spans are keyed by trace and span ID, so a retry is safe).
// Records without their key IDs are dropped. b is not retained.
func (s *Store) Write(ctx context.Context, b *model.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b == nil {
		return nil
	}
	p := prepare(b, s.now())
	if p.skipped > 0 {
		s.log.Warn("store: dropped records without IDs", "count", p.skipped)
	}
	if p.empty() {
		if s.isClosed() {
			return ErrClosed
		}
		return nil
	}
	req := &request{batch: p, spans: len(p.spans), done: make(chan result, 1)}
	if err := s.enqueue(ctx, req, false); err != nil {
		return err
	}
	select {
	case r := <-req.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// enqueue puts req on the queue: at once or ErrOverloaded, or (wait)
// blocking until there is room or ctx ends.
func (s *Store) enqueue(ctx context.Context, req *request, wait bool) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	if !wait {
		select {
		case s.queue <- req:
			return nil
		default:
			return ErrOverloaded
		}
	}
	select {
	case s.queue <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do runs f on the writer goroutine and waits for it.
func (s *Store) do(ctx context.Context, f func(w *writer) (Commit, int64, error)) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	req := &request{op: f, done: make(chan result, 1)}
	if err := s.enqueue(ctx, req, true); err != nil {
		return 0, err
	}
	select {
	case r := <-req.done:
		return r.n, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Close commits the queued writes, stops the writer and closes the
// database. Writes after Close return ErrClosed. Calling it again returns
// the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.queue)
		s.mu.Unlock()
		<-s.done
		close(s.kick)
		<-s.ckptDone

		var errs []error
		s.rs.close()
		errs = append(errs, s.rdb.Close(), s.cdb.Close())
		if _, err := s.w.exec("PRAGMA optimize"); err != nil {
			s.log.Debug("store: optimize", "err", err)
		}
		s.w.st.close()
		errs = append(errs, s.w.conn.Close(), s.wdb.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Ready returns nil when the database answers reads.
func (s *Store) Ready(ctx context.Context) error {
	if s.isClosed() {
		return ErrClosed
	}
	var n int64
	if err := s.rdb.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("store: not ready: %w", err)
	}
	return nil
}
