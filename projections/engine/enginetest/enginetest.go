// Package enginetest is what tests of the engine and of the read models
// share: a store and its read-model database on each backend, ways to run
// projections over a log while it is written, or from scratch, a check
// that a read model holds no personal data, and the harness of their
// benchmarks, so that every read model is measured the same way.
package enginetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/dberr/fulldisktest"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
)

// Now is the moment tests of read models take as now.
var Now = time.Date(2026, 6, 1, 10, 0, 0, 0, domain.ChinaStandardTime)

// Backend is a fresh store and the read-model database beside it.
type Backend struct {
	Name  string
	Store eventstore.Store
	DB    readdb.DB
}

// Backends runs fn, in parallel, on a fresh SQLite store and on a fresh
// PostgreSQL database (pgtest decides whether PostgreSQL may be skipped).
func Backends(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}

// SQLite is a fresh SQLite store with its read-model database.
func SQLite(t testing.TB) Backend {
	return sqliteAt(t, filepath.Join(t.TempDir(), "careledger.db"))
}

func sqliteAt(t testing.TB, path string) Backend {
	s, err := sqlite.Open(context.Background(), path, eventstore.Options{SealKey: []byte("k")})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	db, err := readdb.OpenSQLite(path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return Backend{Name: "sqlite", Store: s, DB: readdb.DB{SQL: db, Dialect: readdb.SQLite}}
}

// Postgres is a fresh PostgreSQL database with a store and the read-model
// handle on its pool.
func Postgres(t testing.TB) Backend {
	return postgresAt(t, pgtest.NewDatabase(t))
}

func postgresAt(t testing.TB, url string) Backend {
	s, err := postgres.Open(context.Background(), url, eventstore.Options{SealKey: []byte("k")})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	db := readdb.OpenPostgres(s.Pool())
	t.Cleanup(func() { db.Close() })
	return Backend{Name: "postgres", Store: s, DB: readdb.DB{SQL: db, Dialect: readdb.Postgres}}
}

// FullDiskBackends is Backends with each database on a small file system
// of the test's own, which fs fills and frees (see fulldisktest): the
// SQLite file on a tmpfs of size bytes, or the PostgreSQL database's tables
// in a tablespace on one.
func FullDiskBackends(t *testing.T, size int64, fn func(t *testing.T, b Backend, fs *fulldisktest.FS)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fs := fulldisktest.Mount(t, size, nil)
		fn(t, sqliteAt(t, filepath.Join(fs.Dir, "careledger.db")), fs)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url, fs := fulldisktest.PostgresDatabase(t, size)
		fn(t, postgresAt(t, url), fs)
	})
}

// Jur parses a division code.
func Jur(t testing.TB, s string) domain.Jurisdiction {
	j, err := domain.ParseJurisdiction(s)
	require.NoError(t, err)
	return j
}

// WaitHead waits until the engine has applied the store's log up to its head.
func WaitHead(t testing.TB, e *engine.Engine, store eventstore.Store) {
	head, err := store.Head(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, e.WaitFor(ctx, head.Position))
}

// CatchUp migrates the projections and applies the whole log to them.
func CatchUp(t testing.TB, b Backend, ps ...engine.Projection) *engine.Engine {
	ctx := context.Background()
	e := engine.New(b.Store, b.DB, engine.Options{Batch: 1000}, ps...)
	require.NoError(t, e.Migrate(ctx))
	require.NoError(t, e.CatchUp(ctx))
	return e
}

// RebuildFromScratch empties a projection's tables and checkpoint and
// catches up again.
func RebuildFromScratch(t testing.TB, b Backend, p engine.Projection) {
	for _, table := range p.Tables() {
		_, err := b.DB.SQL.Exec(`DELETE FROM ` + table)
		require.NoError(t, err)
	}
	_, err := b.DB.SQL.Exec(`DELETE FROM projection_checkpoints WHERE name = $1`, p.Name())
	require.NoError(t, err)
	CatchUp(t, b, p)
}

// RunWhile runs an engine with the projections while work runs, and waits
// until it has applied the whole log.
func RunWhile(t testing.TB, b Backend, work func(), ps ...engine.Projection) {
	ctx := context.Background()
	e := engine.New(b.Store, b.DB, engine.Options{Batch: 23, Poll: 5 * time.Millisecond}, ps...)
	require.NoError(t, e.Migrate(ctx))
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	defer stop() // also when work fails the test
	work()
	WaitHead(t, e, b.Store)
	require.NoError(t, stop())
}
