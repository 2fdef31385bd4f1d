package deadlines

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/careledger/careledger/projections/readdb"
)

// Every obligation keeps, for as long as the view has it, the sequence
// number it took when it first appeared (rm_deadlines.opened_seq): the
// order in which obligations became known, whether an event brought them,
// a linked stream or the clock (a yearly verification). Rows derived again
// keep theirs. The notifications feed reads obligations in this order, so
// that a reader who has seen up to a number has seen every obligation
// known before it. rm_deadline_meta holds the next number and the view's
// generation: a rebuild starts a new generation, numbered afresh, which
// tells a reader that its numbers no longer apply.

// sequence is rm_deadline_meta as one Apply or Tick uses it.
type sequence struct {
	generation string
	next, read int64 // the next number; and as read (unchanged: nothing to save)
	stored     bool
}

// loadSequence reads the view's sequence, or starts the first generation.
func loadSequence(ctx context.Context, q readdb.Querier) (*sequence, error) {
	s := &sequence{}
	err := q.QueryRowContext(ctx, `SELECT generation, next_seq FROM rm_deadline_meta`).Scan(&s.generation, &s.next)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &sequence{generation: uuid.NewString(), next: 1}, nil
	case err != nil:
		return nil, fmt.Errorf("read the deadline sequence: %w", err)
	}
	s.stored, s.read = true, s.next
	return s, nil
}

// take gives the next number.
func (s *sequence) take() int64 {
	n := s.next
	s.next++
	return n
}

// save writes the sequence back, if it changed.
func (s *sequence) save(ctx context.Context, tx readdb.Tx) error {
	if s.stored && s.next == s.read {
		return nil
	}
	var err error
	if s.stored {
		_, err = tx.ExecContext(ctx, `UPDATE rm_deadline_meta SET next_seq = $1`, s.next)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO rm_deadline_meta (generation, next_seq) VALUES ($1, $2)`, s.generation, s.next)
		s.stored = err == nil
	}
	if err != nil {
		return fmt.Errorf("save the deadline sequence: %w", err)
	}
	s.read = s.next
	return nil
}

// storedRow is what write needs of a row a stream has: its stream, its
// sequence number, and the fingerprint of its contents (rowFingerprint).
type storedRow struct {
	stream      string
	seq         int64
	fingerprint string
}

// storedRows are the rows the streams have, by key.
func storedRows(ctx context.Context, q readdb.Querier, streamIDs []string) (map[string]storedRow, error) {
	out := map[string]storedRow{}
	err := readdb.Chunks(streamIDs, func(piece []string) error {
		in, args := readdb.InList(piece)
		rows, err := q.QueryContext(ctx, `SELECT deadline_key, stream_id, opened_seq, fingerprint FROM rm_deadlines WHERE stream_id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var r storedRow
			if err := rows.Scan(&key, &r.stream, &r.seq, &r.fingerprint); err != nil {
				return err
			}
			out[key] = r
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read deadline rows: %w", err)
	}
	return out, nil
}
