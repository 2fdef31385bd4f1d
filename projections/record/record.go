// Package record reads the event log itself, not a read model: the raw
// events of a case, an aggregate's facts folded from its stream, a child's
// personal data, the streams as they stood at a past moment, and the
// verification of the hash chain.
//
// Why a read goes here rather than to a read model: a read model is behind
// the log by whatever the projections have not applied yet, and it holds
// only what may be kept in clear. These reads must be exact and current —
// the events an inspector checks against the hash chain, the facts that
// decide whether a case lies in a reader's jurisdiction, the register a
// token is checked against — or need what no read model keeps: personal
// data, which only the child's own events hold (sealed under the child's
// key and opened by the store), and the record as it stood at any moment,
// which the trace-back report replays. Every fold is the domain's (one per
// aggregate); every decoding goes through the one codec (eventlog).
package record

import (
	"context"
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// Log is what the reader needs of the event store.
type Log interface {
	ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error)
	ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error)
	VerifyFrom(ctx context.Context, from eventstore.Anchor) (eventstore.Verification, eventstore.Anchor, error)
	Head(ctx context.Context) (eventstore.Anchor, error)
}

// Reader reads the log and decodes it through the one codec. It keeps no
// state between reads but the head of the hash chain it last verified, and
// is safe for concurrent use. Keep one per process: its verifier is what
// spares each verification walking the whole log.
type Reader struct {
	log   Log
	codec *eventlog.Codec
	chain *eventstore.Verifier
}

// Option tunes a Reader.
type Option func(*eventstore.VerifierOptions)

// FullWalkEvery makes the reader's verification walk the whole log again
// once the last full walk ended d ago (default
// eventstore.DefaultFullWalkEvery).
func FullWalkEvery(d time.Duration) Option {
	return func(o *eventstore.VerifierOptions) { o.FullWalkEvery = d }
}

// New makes a reader of the log. For personal data to read in clear, log
// must be the store that opens it (eventstore/privacy).
func New(log Log, opts ...Option) *Reader {
	var vo eventstore.VerifierOptions
	for _, o := range opts {
		o(&vo)
	}
	return &Reader{log: log, codec: eventlog.New(), chain: eventstore.NewVerifier(log, vo)}
}

// Verify verifies the log's hash chain and its seal now, up to the head:
// from the head this reader verified before, with a walk of the whole log
// when one is due (eventstore.Verifier). The answer says which it was.
func (r *Reader) Verify(ctx context.Context) (eventstore.ChainCheck, error) {
	v, err := r.chain.Verify(ctx)
	if err != nil {
		return eventstore.ChainCheck{}, fmt.Errorf("verify the log: %w", err)
	}
	return v, nil
}

// VerifierStats reports the walks behind Verify since the reader was made.
func (r *Reader) VerifierStats() eventstore.VerifierStats { return r.chain.Stats() }

// Stream is a stream as it stood at a moment: its events, decoded, and the
// hash of the last of them (hex), by which the stream can be checked
// against the log later.
type Stream struct {
	Events   []domain.Recorded
	LastHash string
	// Hashes are the hashes of Events (hex), in order: a report that shows
	// only a part of a stream names the last event it shows by its hash.
	Hashes []string
}

// AsOf reads streams as they stood at asOf: only their events recorded at
// or before it (zero asOf: everything recorded). A stream with no such
// event is absent from the map.
func (r *Reader) AsOf(ctx context.Context, asOf time.Time, ids ...domain.StreamID) (map[domain.StreamID]Stream, error) {
	out := make(map[domain.StreamID]Stream, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	stored, err := r.log.ReadStreams(ctx, eventlog.StreamIDs(ids...), 0)
	if err != nil {
		return nil, fmt.Errorf("read streams as of %s: %w", asOf.Format(time.RFC3339), err)
	}
	for _, id := range ids {
		events := stored[id.String()]
		visible := events[:0:0]
		for _, e := range events {
			if asOf.IsZero() || !e.RecordedAt.After(asOf) {
				visible = append(visible, e)
			}
		}
		if len(visible) == 0 {
			continue
		}
		decoded, err := r.codec.Decode(visible)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", id, err)
		}
		hashes := make([]string, len(visible))
		for i, e := range visible {
			hashes[i] = e.Hash.String()
		}
		out[id] = Stream{Events: decoded, LastHash: hashes[len(hashes)-1], Hashes: hashes}
	}
	return out, nil
}

// history reads and decodes one whole stream.
func (r *Reader) history(ctx context.Context, id domain.StreamID) ([]domain.Recorded, error) {
	return r.codec.ReadStream(ctx, r.log, id)
}

// Head is the position of the log's last event (0 for an empty log).
func (r *Reader) Head(ctx context.Context) (int64, error) {
	h, err := r.log.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the log's head: %w", err)
	}
	return h.Position, nil
}
