package commands

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// decision is what a command decides on a stream's history: the changes to
// append (one or more).
type decision func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error)

// admission is what a command checks on a stream's history before it looks
// at anything else the call names: that the stream exists and lies within
// the caller's jurisdiction (else domain.ErrNotFound), or, for a new stream,
// that the request may be carried out at all and the id is free. It runs
// before If-Match is compared, so that a stream the caller may not see
// answers exactly as one that does not exist would, whatever version the
// call names: a 412 for a stream outside the caller's reach would tell that
// it exists, and at which version. nil admits every call.
type admission func(ctx context.Context, history []domain.Recorded) error

// execute loads a stream, admits the call, decides, and appends with the
// expected version. On a version conflict it admits and decides again on
// fresh state, up to h.retries times, unless the caller named a version
// (If-Match), which then fails. With an idempotency key, a stream already
// holding the key's events answers them instead of deciding again.
func (h *Handlers) execute(ctx context.Context, call Call, streamID domain.StreamID, admit admission, decide decision) (Result, error) {
	return h.executeOn(ctx, call, streamID, false, admit, decide)
}

// executeOn is execute, for a stream expected to be new when isNew.
//
// The stream is decided on as the cache holds it, unread (a new stream,
// not in the cache, as empty): the append's expected version is the check.
// A stream that moved on meanwhile — on another server, or through another
// process on the file — fails the append, and the command is decided again
// on the stream as read. Every answer other than the append's is given on
// the stream as read, never on the cache alone: a refusal (the case is
// closed, say), decided on the cache, is decided again after a read. A call
// with If-Match or an idempotency key is decided on the stream as read from
// the start: If-Match is compared with the log's version, and replay must
// see every event the key derived (the store would answer a retry's
// identical events as stored, without replay's comparison of fingerprints).
func (h *Handlers) executeOn(ctx context.Context, call Call, streamID domain.StreamID, isNew bool, admit admission, decide decision) (Result, error) {
	stream := eventlog.StreamRef(streamID)
	reused := false                                          // an append found the key's events stored already
	read := call.IfMatch != nil || call.IdempotencyKey != "" // decide on the stream as read, not as cached
	for attempt := 0; ; {
		loaded, unread, err := h.loadToAppend(ctx, streamID, read, isNew)
		if err != nil {
			return Result{}, err
		}
		// again decides again on the stream as read, after an answer given
		// on the cache alone; it is false when the answer was given on a read.
		again := func() bool {
			if !unread {
				return false
			}
			read = true
			return true
		}
		version, history := loaded.version, slices.Clip(loaded.history)
		if call.IdempotencyKey != "" {
			// Read, not cached: read is set for a call with a key.
			if res, done, err := h.replay(call, stream.ID, loaded.stored); done || err != nil {
				return res, err
			}
		}
		if admit != nil {
			if err := admit(ctx, history); err != nil {
				if again() {
					continue
				}
				return Result{}, err
			}
		}
		if call.IfMatch != nil && *call.IfMatch != version {
			return Result{}, fmt.Errorf("%s is at version %d, not %d: %w", stream.ID, version, *call.IfMatch, ErrPreconditionFailed)
		}
		changes, err := decide(ctx, history)
		if err != nil {
			if again() {
				continue
			}
			return Result{}, err
		}
		events, err := h.codec.Encode(changes, envelope(call))
		if err != nil {
			return Result{}, err
		}
		out, err := h.store.Append(ctx, stream, eventstore.ExpectedVersion(version), events...)
		if err != nil {
			// What the cache holds may be behind (a conflict) or the
			// outcome unknown: the next command reads the stream whole.
			h.streams.drop(stream.ID)
		}
		if errors.Is(err, eventstore.ErrVersionConflict) {
			if again() {
				continue // the cache was behind: not a race lost
			}
			if call.IfMatch != nil {
				return Result{}, fmt.Errorf("%s changed meanwhile: %w", stream.ID, ErrPreconditionFailed)
			}
			if attempt < h.retries {
				backoff(ctx, attempt)
				attempt++
				continue
			}
			return Result{}, fmt.Errorf("%s kept changing: %w", stream.ID, ErrConflict)
		}
		if errors.Is(err, eventstore.ErrEventIDReused) {
			// The key's events are stored already: by another request with
			// this key, perhaps the same one sent again at the same moment
			// (a client retrying while its first try runs, on this server or
			// another). The store cannot tell: each copy sealed its personal
			// data apart. Replay can, by the request's fingerprint: on fresh
			// state it answers the original answer, or refuses another body.
			if call.IdempotencyKey != "" && !reused && attempt < h.retries {
				reused, read = true, true
				attempt++
				continue
			}
			return Result{}, fmt.Errorf("%w: %v", ErrIdempotencyKeyReused, err)
		}
		if err != nil {
			return Result{}, fmt.Errorf("append to %s: %w", stream.ID, err)
		}
		h.remember(ctx, streamID, loaded, out)
		return resultOf(out), nil
	}
}

// replay answers a retried command: the stream already holds the events
// the key derives, caused by the same request (the same fingerprint). done
// is false when it does not. A key whose first request's fingerprint is no
// longer on record (erased with the child's data) is never replayed: that
// would confirm a guess of the erased body.
func (h *Handlers) replay(call Call, streamID string, stored []eventstore.Event) (Result, bool, error) {
	first := eventID(call, 0)
	for i, e := range stored {
		if e.ID != first {
			continue
		}
		meta, err := e.Meta()
		if err != nil {
			return Result{}, false, err
		}
		if meta.RequestHash == "" && call.RequestHash != "" {
			// The store seals a fingerprint under the key of the child the
			// stream is about, and an erasure destroys it: a retry can no
			// longer be told from another request, and a guessed body must
			// not be confirmed.
			return Result{}, false, fmt.Errorf("%s: the request this key was first used for cannot be compared with this one "+
				"(its fingerprint is not on record: a request's fingerprint goes with an erasure of the child's data), so it is not replayed: %w",
				streamID, ErrIdempotencyKeyReused)
		}
		if meta.RequestHash != call.RequestHash {
			return Result{}, false, fmt.Errorf("%s: %w", streamID, ErrIdempotencyKeyReused)
		}
		var same []eventstore.Event
		for j := i; j < len(stored) && stored[j].ID == eventID(call, j-i); j++ {
			same = append(same, stored[j])
		}
		res := resultOf(same)
		res.Version = int64(len(stored))
		return res, true, nil
	}
	return Result{}, false, nil
}

func resultOf(events []eventstore.Event) Result {
	var res Result
	for _, e := range events {
		res.Events = append(res.Events, EventRef{Type: e.Type, GlobalPosition: e.GlobalPosition})
		res.Version = e.StreamVersion
	}
	return res
}

// envelope is what the command's events carry besides its changes: with
// an idempotency key, ids derived from it, so that a retry lands on the
// same events.
func envelope(call Call) eventlog.Envelope {
	env := eventlog.Envelope{CommandID: call.IdempotencyKey, CorrelationID: call.CorrelationID, RequestHash: call.RequestHash}
	if call.IdempotencyKey == "" {
		env.CommandID = uuid.Must(uuid.NewV7()).String()
	} else {
		env.EventID = func(i int) uuid.UUID { return eventID(call, i) }
	}
	return env
}

// eventID derives the i-th event id of a command from the subject and the
// idempotency key: a UUID of version 8 (RFC 9562's custom layout) whose bits
// are SHA-256("careledger.command" ‖ subject ‖ key ‖ i).
func eventID(call Call, i int) uuid.UUID {
	return derive("event", call.Principal.Subject, call.IdempotencyKey, i)
}

// derivedID derives a new aggregate's id from the key, so that a retried
// creation lands on the same stream.
func derivedID(call Call, kind string) string {
	if call.IdempotencyKey == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	return derive(kind, call.Principal.Subject, call.IdempotencyKey, 0).String()
}

func derive(kind, subject, key string, i int) uuid.UUID {
	h := sha256.New()
	for _, s := range []string{"careledger.command", kind, subject, key} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(i))
	h.Write(n[:])
	var id uuid.UUID
	copy(id[:], h.Sum(nil))
	id[6] = (id[6] & 0x0f) | 0x80 // version 8
	id[8] = (id[8] & 0x3f) | 0x80 // RFC 9562 variant
	return id
}

// backoff waits a little, at random, before a command is decided again, so
// that writers racing for one stream spread out: up to 1, 2, 4 … 64 ms.
func backoff(ctx context.Context, attempt int) {
	limit := time.Millisecond << min(attempt, 6)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(limit))))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// create runs a command that starts a new stream. The request is decided
// first — its body, and the caller's reach over the places it names — and
// only then is the stream looked at: a stream already there is taken (the
// error to answer with). So a request the caller may not make is refused
// alike whether or not the id is in use, and a taken id answers alike
// wherever the stream lies. A retry of the same request (same subject and
// idempotency key) is answered by replay before either.
func (h *Handlers) create(ctx context.Context, call Call, stream domain.StreamID, taken error, decide func(ctx context.Context) ([]domain.Change, error)) (Result, error) {
	var changes []domain.Change
	admit := func(ctx context.Context, history []domain.Recorded) error {
		var err error
		if changes, err = decide(ctx); err != nil {
			return err
		}
		if len(history) > 0 {
			return taken
		}
		return nil
	}
	return h.executeOn(ctx, call, stream, true, admit, func(context.Context, []domain.Recorded) ([]domain.Change, error) {
		return changes, nil
	})
}

// derivedTaken is the error of create for a stream whose id the server
// derived: one already there was started by another request under the same
// idempotency key (replay has told a retry apart).
func derivedTaken(stream domain.StreamID) error {
	return fmt.Errorf("%s already exists: %w", stream, ErrIdempotencyKeyReused)
}
