package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

const columns = `global_position, event_id, stream_id, stream_type, stream_version, event_type,
	schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash`

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM events
		WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version LIMIT $3`,
		streamID, afterVersion, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", streamID, err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", streamID, err)
	}
	return events, nil
}

// ReadStreams implements eventstore.Store in one query: each id is one
// range scan of the unique index on (stream_id, stream_version). (As in
// Existing, a plain "stream_id = ANY($1)" risks a generic plan, made once
// the statement is cached, that scans the whole table.) The bound is
// written global_position + 0 so that it cannot use the primary key: on a
// table without fresh statistics the planner otherwise ANDs each stream's
// few rows with a bitmap of every position up to the bound, a scan of the
// whole index per stream.
func (s *Store) ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error) {
	out := make(map[string][]eventstore.Event)
	ids := uniqueIDs(streamIDs)
	if len(ids) == 0 {
		return out, nil
	}
	bound := upToPosition
	if bound <= 0 {
		bound = math.MaxInt64
	}
	rows, err := s.pool.Query(ctx, `SELECT e.* FROM unnest($1::text[]) AS s(stream_id)
		CROSS JOIN LATERAL (SELECT `+columns+` FROM events
			WHERE events.stream_id = s.stream_id AND events.global_position + 0 <= $2
			ORDER BY stream_version) AS e`, ids, bound)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(ids), err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(ids), err)
	}
	for _, e := range events {
		out[e.StreamID] = append(out[e.StreamID], e)
	}
	// The rows come stream by stream in version order (a nested loop over
	// the ids); nothing in SQL promises it, so it is checked.
	for _, stream := range out {
		if !slices.IsSortedFunc(stream, byVersion) {
			slices.SortFunc(stream, byVersion)
		}
	}
	return out, nil
}

func byVersion(a, b eventstore.Event) int { return cmp.Compare(a.StreamVersion, b.StreamVersion) }

// uniqueIDs is ids without repeats, in first-seen order.
func uniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ReadLog implements eventstore.Store.
func (s *Store) ReadLog(ctx context.Context, afterPosition int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM events
		WHERE global_position > $1 ORDER BY global_position LIMIT $2`, afterPosition, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", afterPosition, err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", afterPosition, err)
	}
	return events, nil
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (eventstore.Anchor, error) {
	h, err := scanHead(s.pool.QueryRow(ctx, headQuery))
	if err != nil {
		return eventstore.Anchor{}, fmt.Errorf("read head: %w", err)
	}
	return eventstore.Anchor{Position: h.Position, Hash: h.Hash}, nil
}

const headQuery = `SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1`

func scanHead(row pgx.Row) (writer.Head, error) {
	var h writer.Head
	var hash []byte
	err := row.Scan(&h.Position, &hash, &h.RecordedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return writer.Head{}, nil
	}
	if err != nil {
		return writer.Head{}, err
	}
	if h.Hash, err = eventstore.HashFromBytes(hash); err != nil {
		return writer.Head{}, err
	}
	h.RecordedAt = h.RecordedAt.UTC()
	return h, nil
}

func scanEvents(rows pgx.Rows) ([]eventstore.Event, error) {
	defer rows.Close()
	var out []eventstore.Event
	for rows.Next() {
		var e eventstore.Event
		var data, metadata, prev, hash []byte
		if err := rows.Scan(&e.GlobalPosition, &e.ID, &e.StreamID, &e.StreamType, &e.StreamVersion, &e.Type,
			&e.SchemaVersion, &data, &metadata, &e.OccurredAt, &e.RecordedAt, &prev, &hash); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		// A hash of the wrong length is kept as read (zero-padded or cut):
		// Verify reports it as broken instead of failing to read the log.
		copy(e.PrevHash[:], prev)
		copy(e.Hash[:], hash)
		e.Data, e.Metadata = data, metadata
		e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// sqlLimit maps "no limit" to NULL, which PostgreSQL's LIMIT takes as none.
func sqlLimit(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	l := int64(limit)
	return &l
}
