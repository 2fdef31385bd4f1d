package writer

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
)

// Head is the last event of the log as a write transaction sees it.
type Head struct {
	Position   int64
	Hash       eventstore.Hash
	RecordedAt time.Time
}

// LogState is what a write transaction reads under the write lock.
type LogState struct {
	Head    Head
	Streams map[string]StreamState // the streams asked for that exist
	Seal    eventstore.Seal
	Sealed  bool // false when there is no seal row
}

// StreamState is a stream's current version and type.
type StreamState struct {
	Version int64
	Type    string
}

// Tx is what a backend offers inside one write transaction. The backend
// guarantees that no other writer, in this process or another, writes the
// log while the transaction is open.
type Tx interface {
	// State is called first, once, unless Expect is: it returns the head of
	// the log, the head seal, and the state of those of the given streams
	// that exist, as the transaction sees them once it holds the write lock.
	State(ctx context.Context, streamIDs []string) (LogState, error)
	// Expect stands in for State when the writer believes it knows the head
	// and the streams' states (version 0: no such stream). The backend takes
	// the write lock and makes sure the beliefs hold, at the latest when the
	// rows go in: by checking them (failing with ErrStale), or by leaning on
	// the unique indexes. The writer only ever believes what those indexes
	// verify: that the next position is free (else the head moved), and that
	// each stream is at a version it saw itself under a head since verified,
	// or at version 0 (else the stream's version 1 is taken).
	Expect(ctx context.Context, head Head, streams map[string]StreamState) error
	// Existing returns the stored events that have one of the given ids.
	Existing(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]eventstore.Event, error)
	// Insert writes positioned, hashed events and replaces the head seal.
	// A backend may send the rows with its commit; either way a
	// unique-constraint violation surfaces wrapping ErrUniqueViolation.
	Insert(ctx context.Context, events []eventstore.Event, seal eventstore.Seal) error
	// Companions writes the companion rows of the appends the batch stores,
	// before Insert. A row whose key is taken fails the transaction with an
	// error wrapping eventstore.ErrCompanionConflict (not
	// ErrUniqueViolation: the events' ids are not in question).
	Companions(ctx context.Context, rows []eventstore.Companion) error
}

// ErrStale is what a backend returns when what the writer expected (Tx.Expect)
// is not what the log holds: another process wrote in between.
var ErrStale = errors.New("the log is not as the writer expected")

// errLookupNeeded: an append planned without an id lookup was refused, and
// it may be a retry of one already stored, which must be answered instead.
var errLookupNeeded = errors.New("event ids must be looked up")

// ErrUniqueViolation is what a backend's Insert wraps when the database
// refuses a row for a unique constraint (an event id already stored).
var ErrUniqueViolation = errors.New("unique constraint violated")

// Backend runs write transactions.
type Backend interface {
	// WriteTx runs fn in a write transaction that excludes every other
	// writer of the log, and commits when fn returns nil. ctx is never
	// cancelled: WriteTx bounds its own waits.
	WriteTx(ctx context.Context, fn func(Tx) error) error
}
