package projections

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// AccessLog is the record of who read which child's file, case or
// timeline, and when (个人信息保护法 art. 28, 31: every read of a child's
// file is itself recorded). It is not derived from the event log — reads
// are not events — so it lives in its own table, access_log, beside the
// read models, and a rebuild of the read models leaves it alone.
//
// Entries are written behind the read that caused them: Record only adds
// to a buffer, and a background flusher writes the buffer in one
// multi-row insert at least every FlushEvery (default 100 ms), so a read
// does not wait for a write. Flush writes the buffer now; Close flushes
// and makes every later Record write at once. A crash of the process
// loses at most the entries of the last unflushed batch — the reads of
// the last FlushEvery. A batch that fails to write is kept and tried
// again.
type AccessLog struct {
	db     *sql.DB
	d      Dialect
	every  time.Duration
	log    *slog.Logger
	bound  int
	now    func() time.Time
	writeM sync.Mutex // held while a batch is taken and written

	mu       sync.Mutex
	pending  []AccessEntry
	flushing bool // a flusher goroutine runs
	closed   bool // Record writes at once (after Close, or Synchronous)
	stop     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// AccessEntry is one read of a child's file, case or timeline.
type AccessEntry struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Subject string    `json:"subject"`
	Role    string    `json:"role"`
	// ActorJurisdiction is the reader's own jurisdiction.
	ActorJurisdiction string `json:"actor_jurisdiction"`
	ChildID           string `json:"child_id"`
	// CaseID names the case read, when a case was read.
	CaseID string `json:"case_id,omitempty"`
	// Jurisdiction is where what was read lies: the child's place for a
	// child's file or timeline, the case's (the child's place when it was
	// reported) for a case. Inspectors see the entries within theirs.
	Jurisdiction string `json:"jurisdiction"`
	// Action says what was read: read_child_file, read_child_timeline,
	// read_case, read_case_timeline, read_case_events.
	Action    string `json:"action"`
	RequestID string `json:"request_id,omitempty"`
}

// The actions of AccessEntry.
const (
	ActionReadChildFile     = "read_child_file"
	ActionReadChildTimeline = "read_child_timeline"
	ActionReadCase          = "read_case"
	ActionReadCaseTimeline  = "read_case_timeline"
	ActionReadCaseEvents    = "read_case_events"
	ActionReadReport        = "read_accountability_report"
)

// AccessLogOptions tune an AccessLog. The zero value is ready to use.
type AccessLogOptions struct {
	// FlushEvery is the longest an entry waits in the buffer (default 100 ms).
	FlushEvery time.Duration
	// Bound is how many entries the buffer holds before Record writes
	// them itself, slowing reads rather than growing without end while the
	// database is unreachable (default 10 000).
	Bound  int
	Logger *slog.Logger
	Now    func() time.Time
	// Synchronous makes Record write each entry before it returns (no
	// entry is ever lost, at the cost of a write per read).
	Synchronous bool
}

// accessLogSchema is the DDL of the access log, version 1.
var accessLogSchema = []string{`CREATE TABLE IF NOT EXISTS access_log (
	entry_id           TEXT PRIMARY KEY,
	at                 {{ts}} NOT NULL,
	subject            TEXT NOT NULL,
	role               TEXT NOT NULL,
	actor_jurisdiction TEXT NOT NULL,
	child_id           TEXT NOT NULL,
	case_id            TEXT,
	jurisdiction       TEXT NOT NULL,
	action             TEXT NOT NULL,
	request_id         TEXT
)`, `CREATE INDEX IF NOT EXISTS access_log_child ON access_log (child_id, entry_id)`,
	`CREATE INDEX IF NOT EXISTS access_log_jurisdiction ON access_log (jurisdiction, entry_id)`}

// MigrateAccessLog creates the access log's table if it does not exist.
func MigrateAccessLog(ctx context.Context, db *sql.DB, d Dialect) error {
	for _, s := range accessLogSchema {
		if _, err := db.ExecContext(ctx, d.DDL(s)); err != nil {
			return fmt.Errorf("migrate access log: %w", err)
		}
	}
	return nil
}

// NewAccessLog makes the access log's writer. MigrateAccessLog must have run.
func NewAccessLog(db *sql.DB, d Dialect, opts AccessLogOptions) *AccessLog {
	l := &AccessLog{db: db, d: d, every: opts.FlushEvery, log: opts.Logger, bound: opts.Bound, now: opts.Now, stop: make(chan struct{}),
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
		l.now = time.Now
	}
	return l
}

// Record adds an entry to the log; it gives the entry an id and, when it
// has none, the time. It does not wait for the database unless the log is
// closed or its buffer is full.
func (l *AccessLog) Record(e AccessEntry) {
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
func (l *AccessLog) Flush(ctx context.Context) error {
	l.writeM.Lock()
	defer l.writeM.Unlock()
	return l.writePending(ctx)
}

// Close flushes the log and stops its flusher; later entries are written
// as they are recorded.
func (l *AccessLog) Close(ctx context.Context) error {
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
// (or, after repeated failures, gives up until the next Record).
func (l *AccessLog) flushLoop() {
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
			failures++
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
func (l *AccessLog) writePending(ctx context.Context) error {
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

// accessLogColumns are the columns an entry fills, in order.
const accessLogColumns = `entry_id, at, subject, role, actor_jurisdiction, child_id, case_id, jurisdiction, action, request_id`

func (l *AccessLog) write(ctx context.Context, batch []AccessEntry) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	defer tx.Rollback()
	const cols, per = 10, 500
	for start := 0; start < len(batch); start += per {
		chunk := batch[start:min(start+per, len(batch))]
		args := make([]any, 0, len(chunk)*cols)
		var values strings.Builder
		for i, e := range chunk {
			if i > 0 {
				values.WriteString(", ")
			}
			values.WriteByte('(')
			for c := range cols {
				if c > 0 {
					values.WriteString(", ")
				}
				fmt.Fprintf(&values, "$%d", i*cols+c+1)
			}
			values.WriteByte(')')
			args = append(args, e.ID, l.d.Time(e.At), e.Subject, e.Role, e.ActorJurisdiction, e.ChildID,
				nullText(e.CaseID), e.Jurisdiction, e.Action, nullText(e.RequestID))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO access_log (`+accessLogColumns+`) VALUES `+values.String()+
			` ON CONFLICT (entry_id) DO NOTHING`, args...); err != nil {
			return fmt.Errorf("access log: write %d entries: %w", len(chunk), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	return nil
}

// newEntryID is a UUIDv7: entries sort by id in the order they were made.
func newEntryID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// AccessLogFilter selects entries for QueryAccessLog; zero fields select
// everything.
type AccessLogFilter struct {
	ChildID string
	// JurisdictionPrefix keeps entries about what lies within it ("" or
	// "all": everywhere).
	JurisdictionPrefix string
	// After is a cursor: the id of the last entry of the previous page.
	After string
	// Limit bounds the entries returned (default 50).
	Limit int
}

// QueryAccessLog lists entries in the order they were recorded.
func QueryAccessLog(ctx context.Context, db *sql.DB, f AccessLogFilter) ([]AccessEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where = append(where, "entry_id > "+arg(f.After))
	if f.ChildID != "" {
		where = append(where, "child_id = "+arg(f.ChildID))
	}
	if p := f.JurisdictionPrefix; p != "" && p != "all" {
		where = append(where, "substr(jurisdiction, 1, "+arg(len(p))+") = "+arg(p))
	}
	rows, err := db.QueryContext(ctx, `SELECT `+accessLogColumns+` FROM access_log WHERE `+strings.Join(where, " AND ")+
		` ORDER BY entry_id LIMIT `+arg(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query access log: %w", err)
	}
	defer rows.Close()
	out := []AccessEntry{}
	for rows.Next() {
		var e AccessEntry
		var at scannedTime
		var caseID, requestID sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.Subject, &e.Role, &e.ActorJurisdiction, &e.ChildID, &caseID, &e.Jurisdiction,
			&e.Action, &requestID); err != nil {
			return nil, fmt.Errorf("query access log: %w", err)
		}
		e.At, e.CaseID, e.RequestID = at.T, caseID.String, requestID.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query access log: %w", err)
	}
	return out, nil
}
