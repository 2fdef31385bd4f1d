package accesslog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/dberr"
	"github.com/careledger/careledger/projections/readdb"
)

// Log writes entries behind the reads that caused them. Record only adds
// to a buffer, and a background flusher writes the buffer in one multi-row
// insert at least every FlushEvery (default 100 ms), so a read does not
// wait for a write. Flush writes the buffer now; Close flushes and makes
// every later Record write at once. A crash of the process loses at most
// the entries of the last unflushed batch — the reads of the last
// FlushEvery. A batch that fails to write is kept and tried again; while
// the disk is full (eventstore.ErrStorageFull) the flusher never gives up,
// so that the entries are written once space returns, whether or not
// anyone reads meanwhile.
type Log struct {
	db     readdb.DB
	every  time.Duration
	log    *slog.Logger
	bound  int
	now    func() time.Time
	writeM sync.Mutex // held while a batch is taken and written

	mu       sync.Mutex
	pending  []Entry
	flushing bool // a flusher goroutine runs
	closed   bool // Record writes at once (after Close, or Synchronous)
	stop     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// Options tune a Log. The zero value is ready to use.
type Options struct {
	// FlushEvery is the longest an entry waits in the buffer (default 100 ms).
	FlushEvery time.Duration
	// Bound is how many entries the buffer holds before Record writes
	// them itself, slowing reads rather than growing without end while the
	// database is unreachable (default 10 000).
	Bound  int
	Logger *slog.Logger
	// Now gives the time of an entry recorded without one (default: the
	// database handle's clock).
	Now func() time.Time
	// Synchronous makes Record write each entry before it returns (no
	// entry is ever lost, at the cost of a write per read).
	Synchronous bool
}

// New makes the access log's writer. Migrate must have run.
func New(db readdb.DB, opts Options) *Log {
	l := &Log{db: db, every: opts.FlushEvery, log: opts.Logger, bound: opts.Bound, now: opts.Now, stop: make(chan struct{}),
		closed: opts.Synchronous}
	if l.every <= 0 {
		l.every = 100 * time.Millisecond
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	if l.bound <= 0 {
		l.bound = 10000
	}
	if l.now == nil {
		l.now = db.Now
	}
	return l
}

// Record adds an entry to the log; it gives the entry an id and, when it
// has none, the time. It does not wait for the database unless the log is
// closed or its buffer is full.
func (l *Log) Record(e Entry) {
	if e.ID == "" {
		e.ID = newEntryID()
	}
	if e.At.IsZero() {
		e.At = l.now()
	}
	l.mu.Lock()
	l.pending = append(l.pending, e)
	closed, full := l.closed, len(l.pending) >= l.bound
	if !closed && !full && !l.flushing {
		l.flushing = true
		l.wg.Add(1)
		go l.flushLoop()
	}
	l.mu.Unlock()
	if closed || full {
		if err := l.Flush(context.Background()); err != nil {
			l.log.Error("access log: write", "error", err)
		}
	}
}

// Flush writes every entry recorded so far, waiting for a batch being
// written meanwhile.
func (l *Log) Flush(ctx context.Context) error {
	l.writeM.Lock()
	defer l.writeM.Unlock()
	return l.writePending(ctx)
}

// Close flushes the log and stops its flusher; later entries are written
// as they are recorded.
func (l *Log) Close(ctx context.Context) error {
	l.stopOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
		close(l.stop)
	})
	l.wg.Wait()
	return l.Flush(ctx)
}

// flushLoop writes the buffer every FlushEvery until it finds it empty
// (or, after repeated failures other than a full disk, gives up until the
// next Record).
func (l *Log) flushLoop() {
	defer l.wg.Done()
	failures := 0
	wait := l.every
	for {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-l.stop:
			timer.Stop()
		}
		l.writeM.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := l.writePending(ctx)
		cancel()
		l.writeM.Unlock()
		l.mu.Lock()
		if err != nil {
			if !errors.Is(err, eventstore.ErrStorageFull) {
				failures++
			}
			l.log.Error("access log: write batch; kept for the next try", "error", err, "pending", len(l.pending))
			wait = min(wait*2, 5*time.Second)
		} else {
			failures, wait = 0, l.every
		}
		if (err == nil && len(l.pending) == 0) || failures >= 10 || l.closed {
			l.flushing = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
	}
}

// writePending takes the buffer and writes it in one transaction; on
// failure it puts the entries back, ahead of newer ones. writeM is held.
func (l *Log) writePending(ctx context.Context) error {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := l.write(ctx, batch); err != nil {
		l.mu.Lock()
		l.pending = append(batch, l.pending...)
		l.mu.Unlock()
		return err
	}
	return nil
}

// write inserts a batch in one transaction; an entry already written (a
// batch retried after a commit whose answer was lost) is skipped.
func (l *Log) write(ctx context.Context, batch []Entry) error {
	if err := l.writeTx(ctx, batch); err != nil {
		return fmt.Errorf("access log: %w", dberr.Translate(err))
	}
	return nil
}

func (l *Log) writeTx(ctx context.Context, batch []Entry) error {
	tx, err := l.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	d := l.db.Dialect
	rows := make([][]any, len(batch))
	for i, e := range batch {
		rows[i] = []any{e.ID, d.Time(e.At), e.Subject, e.Role, e.ActorJurisdiction, e.ChildID,
			readdb.NullText(e.CaseID), e.Jurisdiction, e.Action, readdb.NullText(e.RequestID)}
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO access_log (`+columns+`) VALUES `, ` ON CONFLICT (entry_id) DO NOTHING`, rows); err != nil {
		return fmt.Errorf("write %d entries: %w", len(batch), err)
	}
	return tx.Commit()
}

// newEntryID is a UUIDv7: entries sort by id in the order they were made.
func newEntryID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
