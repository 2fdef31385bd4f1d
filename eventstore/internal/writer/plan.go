package writer

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
)

// plan is a group commit decided: each append's result, the rows to
// insert, the new seal, and the head and stream states after the commit.
type plan struct {
	results []result
	rows    []eventstore.Event
	// companions are the companion rows of the appends whose events go in.
	companions []eventstore.Companion
	seal       eventstore.Seal
	head       Head
	streams    map[string]StreamState
}

// plan decides every append of the batch against the log as the write
// transaction sees it (or, speculating, as the writer believes it to be),
// and builds the rows to insert.
func (w *Writer) plan(ctx context.Context, tx Tx, batch []*request, m mode) (plan, error) {
	var head Head
	var streams map[string]StreamState
	switch m {
	case speculate:
		head, streams = w.known.head, w.assume(batch)
		if streams == nil {
			return plan{}, ErrStale
		}
		if err := tx.Expect(ctx, head, streams); err != nil {
			return plan{}, fmt.Errorf("check head and streams: %w", err)
		}
	default:
		var ids []string
		seen := map[string]bool{}
		for _, r := range batch {
			if !seen[r.stream.ID] {
				seen[r.stream.ID] = true
				ids = append(ids, r.stream.ID)
			}
		}
		st, err := tx.State(ctx, ids)
		if err != nil {
			return plan{}, fmt.Errorf("read head and streams: %w", err)
		}
		if err := checkSeal(st); err != nil {
			return plan{}, err
		}
		head, streams = st.Head, st.Streams
		for _, id := range ids {
			if _, ok := streams[id]; !ok {
				streams[id] = StreamState{} // read under the lock: no such stream
			}
		}
	}
	stored := map[uuid.UUID]eventstore.Event{}
	if m == lookup {
		var ids []uuid.UUID
		for _, r := range batch {
			for _, e := range r.events {
				ids = append(ids, e.id)
			}
		}
		found, err := tx.Existing(ctx, ids)
		if err != nil {
			return plan{}, fmt.Errorf("read event ids: %w", err)
		}
		for id, e := range found {
			stored[id] = e
		}
	}

	recordedAt := eventstore.Timestamp(w.opts.Now())
	if recordedAt.Before(head.RecordedAt) {
		// recorded_at never runs backwards along the log, so "recorded at or
		// before T" is always a prefix of it.
		recordedAt = head.RecordedAt
	}
	position, prev := head.Position, head.Hash
	p := plan{results: make([]result, len(batch)), streams: map[string]StreamState{}}
	for id, st := range streams {
		p.streams[id] = st
	}
	for i, r := range batch {
		if originals, done, err := alreadyStored(r, stored); err != nil || done {
			p.results[i] = result{events: originals, err: err}
			continue
		}
		state, exists := p.streams[r.stream.ID]
		exists = exists && state.Version > 0
		typeClash := exists && state.Type != r.stream.Type
		if m != lookup && (typeClash || !r.expected.Matches(state.Version)) {
			return plan{}, errLookupNeeded
		}
		if typeClash {
			p.results[i] = result{err: fmt.Errorf("stream %s is a %q stream, not %q: %w", r.stream.ID, state.Type, r.stream.Type, eventstore.ErrStreamTypeMismatch)}
			continue
		}
		if !r.expected.Matches(state.Version) {
			p.results[i] = result{err: &eventstore.VersionConflictError{StreamID: r.stream.ID, Expected: r.expected, Current: state.Version}}
			continue
		}
		out := make([]eventstore.Event, len(r.events))
		for j, pe := range r.events {
			position++
			state.Version++
			e := eventstore.Event{
				ID:             pe.id,
				StreamID:       r.stream.ID,
				StreamType:     r.stream.Type,
				StreamVersion:  state.Version,
				GlobalPosition: position,
				Type:           pe.typ,
				SchemaVersion:  pe.schemaVersion,
				Data:           pe.data,
				Metadata:       pe.metadata,
				OccurredAt:     pe.occurredAt,
				RecordedAt:     recordedAt,
				PrevHash:       prev,
			}
			e.Hash = eventstore.ChainHash(prev, e)
			prev = e.Hash
			out[j] = e
			stored[e.ID] = e
		}
		state.Type = r.stream.Type
		p.streams[r.stream.ID] = state
		p.rows = append(p.rows, out...)
		p.companions = append(p.companions, r.companions...)
		p.results[i] = result{events: out}
	}
	p.head = head
	if len(p.rows) > 0 {
		p.head = Head{Position: position, Hash: prev, RecordedAt: recordedAt}
	}
	anchor := eventstore.Anchor{Position: position, Hash: prev}
	p.seal = eventstore.Seal{Anchor: anchor, SealedAt: recordedAt, MAC: eventstore.SealMAC(w.opts.SealKey, anchor, recordedAt)}
	return p, nil
}

// checkSeal refuses to extend a log whose head is not the one its seal
// records: the end of the log was removed or forged behind the store's back,
// and appending would continue the chain from there and rewrite the seal,
// erasing the evidence. (Verify says where; the seal's signature is
// Verify's to check.)
func checkSeal(st LogState) error {
	switch {
	case st.Sealed && (st.Seal.Position != st.Head.Position || st.Seal.Hash != st.Head.Hash):
		return fmt.Errorf("the log ends at position %d but its seal at %d: %w", st.Head.Position, st.Seal.Position, eventstore.ErrLogTampered)
	case !st.Sealed && st.Head.Position > 0:
		return fmt.Errorf("the log has %d events and no seal: %w", st.Head.Position, eventstore.ErrLogTampered)
	}
	return nil
}

// assume is the state of the batch's streams the writer can speculate on:
// what it knows (the head it knows vouches for it), else version 0 for an
// append that expects no stream or any version. It returns nil when an
// append expects a version of a stream the writer does not know: that must
// be read.
func (w *Writer) assume(batch []*request) map[string]StreamState {
	out := map[string]StreamState{}
	for _, r := range batch {
		if _, ok := out[r.stream.ID]; ok {
			continue
		}
		known, ok := w.known.streams[r.stream.ID]
		switch {
		case ok:
			out[r.stream.ID] = known
		case r.expected == eventstore.AnyVersion || r.expected == eventstore.NoStream:
			out[r.stream.ID] = StreamState{}
		default:
			return nil
		}
	}
	return out
}

// alreadyStored decides idempotency: done is true when every event of the
// append is stored, in this stream, with the same body (a retry); it is an
// error when only some are, or when an id is stored with another body.
func alreadyStored(r *request, stored map[uuid.UUID]eventstore.Event) ([]eventstore.Event, bool, error) {
	var found []eventstore.Event
	for _, p := range r.events {
		s, ok := stored[p.id]
		if !ok {
			continue
		}
		if s.StreamID != r.stream.ID || !sameBody(s, p) {
			return nil, false, fmt.Errorf("event %s is stored in stream %s at version %d with another body: %w", p.id, s.StreamID, s.StreamVersion, eventstore.ErrEventIDReused)
		}
		found = append(found, s)
	}
	switch len(found) {
	case 0:
		return nil, false, nil
	case len(r.events):
		return found, true, nil
	default:
		return nil, false, fmt.Errorf("%d of the %d events of this append are already stored: %w", len(found), len(r.events), eventstore.ErrEventIDReused)
	}
}

func sameBody(s eventstore.Event, p pending) bool {
	return s.Type == p.typ && s.SchemaVersion == p.schemaVersion &&
		s.OccurredAt.Equal(p.occurredAt) &&
		bytes.Equal(s.Data, p.data) && bytes.Equal(s.Metadata, p.metadata)
}
