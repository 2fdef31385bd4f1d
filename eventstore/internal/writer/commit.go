package writer

import (
	"context"
	"errors"
	"fmt"
)

// knownState is the head and stream states the writer believes current.
// Every use of it is checked by the backend (Tx.Expect), so a wrong belief
// costs a second transaction, never a wrong write.
type knownState struct {
	valid   bool
	head    Head
	streams map[string]StreamState
}

// maxKnownStreams bounds the streams the writer remembers.
const maxKnownStreams = 1 << 14

func (k *knownState) remember(id string, st StreamState) {
	if k.streams == nil || len(k.streams) >= maxKnownStreams {
		k.streams = make(map[string]StreamState)
	}
	k.streams[id] = st
}

// mode is how a group commit learns the state of the log.
type mode int

const (
	// speculate: take the head and stream states the writer knows (or the
	// appends expect) and let the backend check them with the rows — one
	// round trip on PostgreSQL.
	speculate mode = iota
	// read: read the head and stream states under the write lock.
	read
	// lookup: read them and look every event id up, to answer retries.
	lookup
)

// commit decides and writes one batch. Each append is decided on its own,
// so a conflict fails only its own append. If the transaction itself fails
// (the database refused a row, the connection broke), the appends are
// retried one per transaction, so that one bad append cannot fail its
// batch-mates.
func (w *Writer) commit(batch []*request) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			w.answer(r, result{err: err})
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// Fresh event ids are the rule and retries the exception, so a batch is
	// first planned without looking its ids up; the unique index on event
	// ids catches a retry, and the batch is planned again with the lookup.
	// When the writer knows the log's state, it does not even read it first.
	m := read
	if w.known.valid {
		m = speculate
	}
	results, err := w.commitOnce(live, m)
	if m == speculate && errors.Is(err, ErrStale) {
		results, err = w.commitOnce(live, read)
	}
	if errors.Is(err, ErrUniqueViolation) || errors.Is(err, errLookupNeeded) {
		results, err = w.commitOnce(live, lookup)
	}
	if err != nil && len(live) > 1 {
		for _, r := range live {
			w.commit([]*request{r})
		}
		return
	}
	for i, r := range live {
		if err != nil {
			w.answer(r, result{err: err})
			continue
		}
		w.answer(r, results[i])
	}
}

func (w *Writer) answer(r *request, res result) {
	w.appends.Add(1)
	if res.err == nil {
		w.events.Add(int64(len(res.events)))
	}
	r.done <- res
}

func (w *Writer) commitOnce(batch []*request, m mode) ([]result, error) {
	// A group commit is not tied to any one caller's context. The backend
	// bounds its own waits (SQLite's busy timeout, a deadline on PostgreSQL);
	// a context that cannot be cancelled spares SQLite's driver a watcher
	// goroutine per statement.
	ctx := context.Background()
	var p plan
	err := w.backend.WriteTx(ctx, func(tx Tx) error {
		var err error
		if p, err = w.plan(ctx, tx, batch, m); err != nil {
			return err
		}
		if len(p.rows) == 0 {
			return nil
		}
		if len(p.companions) > 0 {
			if err := tx.Companions(ctx, p.companions); err != nil {
				return err
			}
		}
		if err := tx.Insert(ctx, p.rows, p.seal); err != nil {
			return err
		}
		if w.opts.BeforeCommit != nil {
			w.opts.BeforeCommit(ctx)
		}
		return nil
	})
	if err != nil {
		w.known.valid = false
		return nil, fmt.Errorf("append: %w", err)
	}
	if len(p.rows) > 0 {
		w.batches.Add(1)
	}
	w.known.valid, w.known.head = true, p.head
	for id, st := range p.streams {
		w.known.remember(id, st)
	}
	return p.results, nil
}
