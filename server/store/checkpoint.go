package store

import (
	"context"
	"database/sql"
	"log/slog"
)

// Checkpoints copy the WAL back into the database file. SQLite runs them
// on the committing connection, which here is the writer: every few
// commits one would stall ingest while it copies and fsyncs. Instead a
// goroutine with its own connection checkpoints (PASSIVE: it never blocks
// the writer or readers) whenever the writer has committed
// checkpointEvery bytes, on the other core. The writer keeps SQLite's
// automatic checkpoint only as a backstop (walBackstopPragma): it finds
// nearly everything already copied.

const (
	checkpointEvery   = 8 << 20
	walBackstopPragma = "wal_autocheckpoint(8192)" // pages: 64 MiB
)

func checkpointLoop(db *sql.DB, log *slog.Logger, kick <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for range kick {
		var busy, frames, copied int64
		err := db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		if err != nil {
			log.Warn("store: checkpoint", "err", err)
		}
	}
}

// committed counts n bytes committed and wakes the checkpointer when
// enough have piled up.
func (w *writer) committed(n int) {
	w.walBytes += n
	if w.walBytes < checkpointEvery || w.checkpoint == nil {
		return
	}
	w.walBytes = 0
	select {
	case w.checkpoint <- struct{}{}:
	default: // one is running or queued
	}
}
