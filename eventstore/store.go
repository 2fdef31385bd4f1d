package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Store is the append-only, hash-chained event log every part of careledger
// writes to and reads from. All backends pass the contract suite in
// eventstore/storetest.
type Store interface {
	// Append writes events to one stream atomically, provided the stream is at
	// the expected version. It returns the events as stored, with their
	// positions, versions, times and hashes. Re-appending events whose ids are
	// already stored in that stream with the same bodies returns the stored
	// events and writes nothing.
	Append(ctx context.Context, stream StreamRef, expected ExpectedVersion, events ...NewEvent) ([]Event, error)

	// ReadStream returns up to limit events of one stream with a stream
	// version greater than afterVersion, in version order. A limit of 0 or less
	// reads to the end. An unknown stream has no events and is not an error.
	ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]Event, error)

	// ReadStreams returns the events of several streams at once, keyed by
	// stream id, each stream's in version order: every event of those
	// streams with a global position at most upToPosition (0 or less: no
	// bound). A stream with no such events (an unknown one, or one that
	// begins after the bound) is absent from the map; an id given twice is
	// read once. It costs one query (a few on SQLite for many ids), not one
	// per stream.
	ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]Event, error)

	// ReadLog returns up to limit events of the whole log with a global
	// position greater than afterPosition, in global order. The order is
	// final: a reader never sees position N+1 before position N is visible.
	ReadLog(ctx context.Context, afterPosition int64, limit int) ([]Event, error)

	// Head returns the position and hash of the last event of the log; the
	// zero Anchor when the log is empty. An inspector may keep it and later
	// pass it to Verify to prove that nothing up to it was removed or changed.
	Head(ctx context.Context) (Anchor, error)

	// Verify walks the whole log, recomputes the hash chain, checks the
	// store's signed head seal, and checks every anchor given.
	Verify(ctx context.Context, anchors ...Anchor) (Verification, error)

	// VerifyFrom walks the log from a head verified before rather than from
	// position 1: the event at from must still be there with from's hash,
	// the events after it must chain onto it, and the seal is checked as
	// Verify checks it. It vouches for nothing before from (a Verifier
	// walks the whole log again for that). It answers the last event walked,
	// the head now verified; Checked counts the events walked, from's
	// included. A zero from walks the whole log.
	VerifyFrom(ctx context.Context, from Anchor) (Verification, Anchor, error)

	// Stats reports what the store's writer has done since it opened.
	Stats() Stats

	// Close stops the writer, waiting for in-flight appends, and releases the
	// database.
	Close() error
}

// StreamRef names a stream: its id (e.g. "case-0190…") and its type
// ("case", "child", "worker", …). A stream keeps the type of its first event.
type StreamRef struct {
	ID   string
	Type string
}

// ExpectedVersion is the version a stream must be at for an append to go
// ahead. Stream versions count from 1, so NoStream (0) means "the stream has
// no events yet", a positive N means "exactly N", and AnyVersion skips the
// check.
type ExpectedVersion int64

const (
	// AnyVersion appends whatever the stream's version.
	AnyVersion ExpectedVersion = -1
	// NoStream appends only when the stream has no events.
	NoStream ExpectedVersion = 0
)

// Exactly expects the stream to be at version n (n ≥ 1; Exactly(0) is NoStream).
func Exactly(n int64) ExpectedVersion { return ExpectedVersion(n) }

func (v ExpectedVersion) String() string {
	switch {
	case v == AnyVersion:
		return "any"
	case v == NoStream:
		return "no stream"
	case v > 0:
		return fmt.Sprintf("version %d", int64(v))
	default:
		return fmt.Sprintf("invalid expected version %d", int64(v))
	}
}

// Matches reports whether a stream at version current satisfies v.
func (v ExpectedVersion) Matches(current int64) bool {
	return v == AnyVersion || int64(v) == current
}

// NewEvent is an event proposed for appending. ID may be left zero, in which
// case the store assigns a UUIDv7; give it to make the append idempotent.
type NewEvent struct {
	ID            uuid.UUID
	Type          string // stable type name, e.g. "case.report_received"
	SchemaVersion int    // version of the data's schema for this type, ≥ 1
	Data          json.RawMessage
	Metadata      Metadata
	OccurredAt    time.Time // business time, given by the caller
}

// Metadata says who caused an event and within which command and flow.
type Metadata struct {
	Actor         Actor  `json:"actor"`
	CommandID     string `json:"command_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	// RequestHash fingerprints the request that caused the event, so that
	// an idempotency key reused with another request can be told apart
	// from a retry.
	RequestHash string `json:"request_hash,omitempty"`
}

// Actor is the principal who caused an event; Qualification, when given,
// says where the actor's training stood at the act.
type Actor struct {
	Subject       string `json:"subject"`
	Role          string `json:"role"`
	Jurisdiction  string `json:"jurisdiction"`
	Qualification string `json:"qualification,omitempty"`
}

// Event is an event as stored: the envelope, its data and its place in the
// hash chain.
type Event struct {
	ID             uuid.UUID
	StreamID       string
	StreamType     string
	StreamVersion  int64
	GlobalPosition int64
	Type           string
	SchemaVersion  int
	Data           json.RawMessage
	// Metadata is the JSON encoding of the event's Metadata exactly as stored
	// and hashed; Meta decodes it.
	Metadata   json.RawMessage
	OccurredAt time.Time // business time, UTC, microsecond precision
	RecordedAt time.Time // set by the store, UTC, microsecond precision
	PrevHash   Hash
	Hash       Hash
}

// Meta decodes the event's metadata.
func (e Event) Meta() (Metadata, error) {
	if m, ok := quickMeta(e.Metadata); ok {
		return m, nil
	}
	var m Metadata
	if err := json.Unmarshal(e.Metadata, &m); err != nil {
		return Metadata{}, fmt.Errorf("decode metadata of event %s: %w", e.ID, err)
	}
	return m, nil
}

// MaxDataBytes bounds the data of one event.
const MaxDataBytes = 4 << 20

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrVersionConflict: the stream was not at the expected version. The
	// error is a *VersionConflictError carrying the current version.
	ErrVersionConflict = errors.New("version conflict")
	// ErrEventIDReused: an event id is already stored with another body or in
	// another stream.
	ErrEventIDReused = errors.New("event id already used for another event")
	// ErrInvalidEvent: the append is malformed (no type, data not JSON, …).
	ErrInvalidEvent = errors.New("invalid event")
	// ErrStreamTypeMismatch: the stream exists with another stream type.
	ErrStreamTypeMismatch = errors.New("stream type mismatch")
	// ErrLogTampered: the end of the log is not what its head seal records,
	// so the store refuses to append until an inspector has looked (Verify
	// tells where the log was changed).
	ErrLogTampered = errors.New("the event log does not match its head seal")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("event store closed")
	// ErrStorageFull: the database's storage is full (SQLite's file system,
	// PostgreSQL's disk), so the write was refused and rolled back whole:
	// nothing of it was recorded. It passes once space is freed; the store
	// needs no restart. The error wraps the driver's, for its detail.
	ErrStorageFull = errors.New("the database's storage is full")
)

// VersionConflictError is returned when a stream is not at the expected
// version. It matches ErrVersionConflict.
type VersionConflictError struct {
	StreamID string
	Expected ExpectedVersion
	Current  int64
}

func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("stream %s: expected %s, stream is at version %d", e.StreamID, e.Expected, e.Current)
}

// Is makes errors.Is(err, ErrVersionConflict) true.
func (e *VersionConflictError) Is(target error) bool { return target == ErrVersionConflict }

// Verification is the result of walking the hash chain.
type Verification struct {
	OK bool `json:"ok"`
	// Checked counts the events whose hash was recomputed.
	Checked int64 `json:"checked"`
	// FirstBrokenPosition is the first position at which the log is not as it
	// was written (a changed, missing, moved or forged event, or the end of a
	// truncated log); nil when OK.
	FirstBrokenPosition *int64 `json:"first_broken_position"`
	// Reason says in words what is wrong; empty when OK.
	Reason string `json:"reason,omitempty"`
}
