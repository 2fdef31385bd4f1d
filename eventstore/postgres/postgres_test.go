package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/storetest"
)

func TestContract(t *testing.T) {
	pgtest.URL(t) // skips without a server
	storetest.Run(t, func(t testing.TB) storetest.Database { return newDatabase(t) })
}

// TestContractThroughPrivacy runs the contract with every store wrapped in
// the privacy decorator. The decorator seals personal fields on the way in
// and opens them on the way out, with the data keys in the store's database.
// It refuses data that is not a JSON object with its own error, which the
// option accepts.
func TestContractThroughPrivacy(t *testing.T) {
	pgtest.URL(t) // skips without a server
	storetest.Run(t, func(t testing.TB) storetest.Database {
		return storetest.ThroughPrivacy(newDatabase(t), func(_ testing.TB, s eventstore.Store) (*sql.DB, bool) {
			return stdlib.OpenDBFromPool(s.(*postgres.Store).Pool()), false
		})
	})
}

type database struct{ url string }

// newDatabase makes an empty database, dropped when the test ends after the
// handles opened on it (whose cleanups run first) are closed.
func newDatabase(t testing.TB) *database { return &database{url: pgtest.NewDatabase(t)} }

func (d *database) Open(t testing.TB, opts eventstore.Options) eventstore.Store {
	return d.open(t, opts)
}

func (d *database) open(t testing.TB, opts eventstore.Options) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, d.url, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func (d *database) Tamper() storetest.Tamperer { return tamperer{url: d.url} }

// tamperer edits the log on its own connection. To go around the
// append-only triggers it does what a superuser with access to the database
// could: it sets session_replication_role to replica for the transaction of
// the edit, in which ordinary triggers do not fire.
type tamperer struct{ url string }

type stmt struct {
	sql  string
	args []any
}

func (tp tamperer) exec(ctx context.Context, guarded bool, stmts ...stmt) error {
	conn, err := pgx.Connect(ctx, tp.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if !guarded {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%s: %w", s.sql, err)
		}
	}
	return tx.Commit(ctx)
}

func (tp tamperer) SetData(ctx context.Context, position int64, data string) error {
	return tp.exec(ctx, false, stmt{`UPDATE events SET data = $1 WHERE global_position = $2`, []any{data, position}})
}

func (tp tamperer) Delete(ctx context.Context, positions ...int64) error {
	return tp.exec(ctx, false, stmt{`DELETE FROM events WHERE global_position = ANY($1)`, []any{positions}})
}

// Swap copies both rows aside, deletes them and inserts them back with their
// positions exchanged: the unique constraints are not deferrable, so the
// rows cannot trade columns in place.
func (tp tamperer) Swap(ctx context.Context, a, b int64) error {
	return tp.exec(ctx, false,
		stmt{fmt.Sprintf(`CREATE TEMP TABLE swapped ON COMMIT DROP AS
			SELECT * FROM events WHERE global_position IN (%d, %d)`, a, b), nil},
		stmt{`DELETE FROM events WHERE global_position IN ($1, $2)`, []any{a, b}},
		stmt{`INSERT INTO events (global_position, event_id, stream_id, stream_type, stream_version, event_type,
				schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash)
			SELECT CASE global_position WHEN $1::bigint THEN $2::bigint ELSE $1::bigint END, event_id, stream_id,
				stream_type, stream_version, event_type, schema_version, data, metadata, occurred_at, recorded_at,
				prev_hash, hash
			FROM swapped`, []any{a, b}},
	)
}

func (tp tamperer) Insert(ctx context.Context, e eventstore.Event) error {
	return tp.exec(ctx, true, stmt{`INSERT INTO events (global_position, event_id, stream_id, stream_type,
		stream_version, event_type, schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, []any{
		e.GlobalPosition, e.ID, e.StreamID, e.StreamType, e.StreamVersion, e.Type, e.SchemaVersion,
		string(e.Data), string(e.Metadata), eventstore.Timestamp(e.OccurredAt), eventstore.Timestamp(e.RecordedAt),
		e.PrevHash[:], e.Hash[:]}})
}

func (tp tamperer) SetSeal(ctx context.Context, s eventstore.Seal) error {
	return tp.exec(ctx, true, stmt{`UPDATE chain_seal SET position = $1, hash = $2, sealed_at = $3, mac = $4 WHERE id = 1`,
		[]any{s.Position, s.Hash[:], eventstore.Timestamp(s.SealedAt), s.MAC}})
}

func (tp tamperer) DeleteSeal(ctx context.Context) error {
	return tp.exec(ctx, true, stmt{`DELETE FROM chain_seal`, nil})
}

func (tp tamperer) PlainUpdate(ctx context.Context, position int64) error {
	return tp.exec(ctx, true, stmt{`UPDATE events SET data = '{}' WHERE global_position = $1`, []any{position}})
}

func (tp tamperer) PlainDelete(ctx context.Context, position int64) error {
	return tp.exec(ctx, true, stmt{`DELETE FROM events WHERE global_position = $1`, []any{position}})
}

// The tests below cover what is particular to this backend.

func appendOne(t testing.TB, s eventstore.Store, stream string) eventstore.Event {
	t.Helper()
	out, err := s.Append(context.Background(), eventstore.StreamRef{ID: stream, Type: "case"}, eventstore.AnyVersion,
		eventstore.NewEvent{Type: "case.noted", SchemaVersion: 1, Data: []byte(`{"a":1}`), OccurredAt: time.Now()})
	require.NoError(t, err)
	return out[0]
}

func TestTruncateIsRefused(t *testing.T) {
	db := newDatabase(t)
	s := db.open(t, eventstore.Options{})
	appendOne(t, s, "case-1")
	_, err := s.Pool().Exec(context.Background(), `TRUNCATE events`)
	require.ErrorContains(t, err, "append-only")
	events, err := s.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	assert.Len(t, events, 1)
}

// TestConcurrentOpenMigratesOnce opens several stores at once on an empty
// database, as processes starting together would: the migration lock lets
// one migrate and the others find the schema in place.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	db := newDatabase(t)
	const n = 6
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(context.Background(), db.url, eventstore.Options{})
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	for i := range n {
		appendOne(t, stores[i], fmt.Sprintf("case-%d", i))
	}
	var applied, latest int
	require.NoError(t, stores[0].Pool().QueryRow(context.Background(),
		`SELECT count(*), max(version) FROM schema_migrations`).Scan(&applied, &latest))
	assert.Equal(t, latest, applied, "each migration recorded once")
	assert.GreaterOrEqual(t, latest, 1)
	v, err := stores[0].Verify(context.Background())
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: n}, v)
}

func TestRefusesNewerSchema(t *testing.T) {
	db := newDatabase(t)
	s := db.open(t, eventstore.Options{})
	_, err := s.Pool().Exec(context.Background(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future', now())`)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = postgres.Open(context.Background(), db.url, eventstore.Options{})
	require.ErrorContains(t, err, "newer than this build")
}

// TestCorruptHashIsReportedNotFatal: a stored hash of the wrong length
// makes Verify report the position rather than fail to read the log.
func TestCorruptHashIsReportedNotFatal(t *testing.T) {
	db := newDatabase(t)
	s := db.open(t, eventstore.Options{})
	for range 3 {
		appendOne(t, s, "case-1")
	}
	require.NoError(t, db.Tamper().(tamperer).exec(context.Background(), false,
		stmt{`UPDATE events SET prev_hash = '\x0102'::bytea WHERE global_position = 2`, nil}))
	v, err := s.Verify(context.Background())
	require.NoError(t, err)
	require.False(t, v.OK)
	require.NotNil(t, v.FirstBrokenPosition)
	assert.Equal(t, int64(2), *v.FirstBrokenPosition, v.Reason)
}

// TestUnstorableValuesAreInvalidEvents: values PostgreSQL refuses but the
// shared writer lets through (NUL or invalid UTF-8 in a name, a time outside
// PostgreSQL's range) fail their own append with ErrInvalidEvent.
func TestUnstorableValuesAreInvalidEvents(t *testing.T) {
	s := newDatabase(t).open(t, eventstore.Options{})
	ctx := context.Background()
	ev := func(typ string, at time.Time) eventstore.NewEvent {
		return eventstore.NewEvent{Type: typ, SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: at}
	}
	now := time.Now()
	for name, c := range map[string]struct {
		ref eventstore.StreamRef
		e   eventstore.NewEvent
	}{
		"NUL in stream id":         {eventstore.StreamRef{ID: "case-\x00", Type: "case"}, ev("x", now)},
		"invalid UTF-8 in type":    {eventstore.StreamRef{ID: "case-1", Type: "c\xffase"}, ev("x", now)},
		"NUL in event type":        {eventstore.StreamRef{ID: "case-2", Type: "case"}, ev("x\x00", now)},
		"occurred_at out of range": {eventstore.StreamRef{ID: "case-3", Type: "case"}, ev("x", time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC))},
	} {
		_, err := s.Append(ctx, c.ref, eventstore.AnyVersion, c.e)
		assert.ErrorIs(t, err, eventstore.ErrInvalidEvent, name)
	}
	appendOne(t, s, "case-4")
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 1}, v)
}

// BenchmarkAppend measures one append of one event at a time: every append
// is its own write transaction.
func BenchmarkAppend(b *testing.B) {
	s := newDatabase(b).open(b, eventstore.Options{SealKey: []byte("bench")})
	b.ResetTimer()
	for i := range b.N {
		appendOne(b, s, fmt.Sprintf("case-%d", i%100))
	}
}

// BenchmarkAppendParallel measures appends from many goroutines, which the
// writer group-commits.
func BenchmarkAppendParallel(b *testing.B) {
	s := newDatabase(b).open(b, eventstore.Options{SealKey: []byte("bench")})
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var suffix [4]byte
		_, _ = rand.Read(suffix[:])
		stream := "case-" + hex.EncodeToString(suffix[:])
		for pb.Next() {
			appendOne(b, s, stream)
		}
	})
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(st.Events)/float64(max(st.Batches, 1)), "events/batch")
}
