package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/careledger/careledger/eventstore"
)

// valuesRows is the largest batch inserted with a VALUES list; larger
// batches go through unnest. (For a handful of rows VALUES is cheaper; each
// row count is its own cached statement.)
const valuesRows = 16

// Insert writes all rows in one statement and the seal; both are held to go
// with COMMIT, unless a BeforeCommit hook must run after them.
func (t *writeTx) Insert(ctx context.Context, events []eventstore.Event, seal eventstore.Seal) error {
	n := len(events)
	t.want = n
	counted := func(ct pgconn.CommandTag) error {
		t.inserted = ct.RowsAffected()
		return nil
	}
	if n <= valuesRows {
		var q strings.Builder
		q.WriteString(`INSERT INTO events (` + columns + `) VALUES `)
		args := make([]any, 0, 13*n)
		for i := range events {
			e := &events[i]
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
				13*i+1, 13*i+2, 13*i+3, 13*i+4, 13*i+5, 13*i+6, 13*i+7, 13*i+8, 13*i+9, 13*i+10, 13*i+11, 13*i+12, 13*i+13)
			args = append(args, e.GlobalPosition, e.ID, e.StreamID, e.StreamType, e.StreamVersion, e.Type,
				int32(e.SchemaVersion), e.Data, e.Metadata, e.OccurredAt, e.RecordedAt, e.PrevHash[:], e.Hash[:])
		}
		t.queue(q.String(), args...).Exec(counted)
	} else {
		var (
			positions      = make([]int64, n)
			ids            = make([]uuid.UUID, n)
			streamIDs      = make([]string, n)
			streamTypes    = make([]string, n)
			streamVersions = make([]int64, n)
			types          = make([]string, n)
			schemaVersions = make([]int32, n)
			data           = make([][]byte, n)
			metadata       = make([][]byte, n)
			occurredAt     = make([]time.Time, n)
			recordedAt     = make([]time.Time, n)
			prevHashes     = make([][]byte, n)
			hashes         = make([][]byte, n)
		)
		for i := range events {
			e := &events[i]
			positions[i], ids[i], streamIDs[i], streamTypes[i] = e.GlobalPosition, e.ID, e.StreamID, e.StreamType
			streamVersions[i], types[i], schemaVersions[i] = e.StreamVersion, e.Type, int32(e.SchemaVersion)
			data[i], metadata[i] = e.Data, e.Metadata
			occurredAt[i], recordedAt[i] = e.OccurredAt, e.RecordedAt
			prevHashes[i], hashes[i] = e.PrevHash[:], e.Hash[:]
		}
		t.queue(`INSERT INTO events (`+columns+`)
		SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::text[],
			$7::integer[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::bytea[], $13::bytea[])`,
			positions, ids, streamIDs, streamTypes, streamVersions, types, schemaVersions,
			data, metadata, occurredAt, recordedAt, prevHashes, hashes,
		).Exec(counted)
	}
	if t.upsertSeal {
		t.queue(`INSERT INTO chain_seal (id, position, hash, sealed_at, mac) VALUES (1, $1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET position = excluded.position, hash = excluded.hash,
		sealed_at = excluded.sealed_at, mac = excluded.mac`,
			seal.Position, seal.Hash[:], seal.SealedAt, seal.MAC)
	} else {
		t.queue(`UPDATE chain_seal SET position = $1, hash = $2, sealed_at = $3, mac = $4 WHERE id = 1`,
			seal.Position, seal.Hash[:], seal.SealedAt, seal.MAC)
	}
	if t.sendRowsAtOnce {
		return t.flush(ctx, fmt.Sprintf("insert events %d to %d and seal", events[0].GlobalPosition, events[n-1].GlobalPosition))
	}
	return nil
}

// Companions queues the companion rows, to go with the events' rows; a
// taken key fails the transaction (flush names it).
func (t *writeTx) Companions(_ context.Context, rows []eventstore.Companion) error {
	if t.companionTables == nil {
		t.companionTables = map[string]bool{}
	}
	for _, c := range rows {
		t.companionTables[c.Table] = true
		t.queue(c.Insert(), c.Values...)
	}
	return nil
}
