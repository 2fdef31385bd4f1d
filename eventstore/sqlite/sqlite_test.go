package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/eventstore/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t testing.TB) storetest.Database {
		return &database{path: filepath.Join(t.TempDir(), "careledger.db")}
	})
}

// TestContractThroughPrivacy runs the contract with every store wrapped in
// the privacy decorator. The decorator seals personal fields on the way in
// and opens them on the way out, with the data keys in the store's file.
// It refuses data that is not a JSON object with its own error, which the
// option accepts.
func TestContractThroughPrivacy(t *testing.T) {
	storetest.Run(t, func(t testing.TB) storetest.Database {
		return storetest.ThroughPrivacy(&database{path: filepath.Join(t.TempDir(), "careledger.db")},
			func(_ testing.TB, s eventstore.Store) (*sql.DB, bool) { return s.(*sqlite.Store).DB(), true })
	})
}

type database struct{ path string }

func (d *database) Open(t testing.TB, opts eventstore.Options) eventstore.Store {
	s, err := sqlite.Open(context.Background(), d.path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func (d *database) Tamper() storetest.Tamperer { return tamperer{path: d.path} }

// tamperer opens its own connection and drops the append-only triggers for
// the duration of each edit, as an attacker with the file would.
type tamperer struct{ path string }

func (tp tamperer) exec(ctx context.Context, guarded bool, stmts ...func(*sql.Tx) error) error {
	db, err := sql.Open("sqlite", "file:"+tp.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if !guarded {
		for _, q := range []string{`DROP TRIGGER events_append_only_update`, `DROP TRIGGER events_append_only_delete`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	for _, stmt := range stmts {
		if err := stmt(tx); err != nil {
			return err
		}
	}
	// Dropping the triggers inside the transaction and not restoring them
	// would weaken later tests; roll them back by recreating them.
	if !guarded {
		for _, q := range []string{
			`CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction instead'); END`,
			`CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction instead'); END`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

func execSQL(q string, args ...any) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(q, args...)
		return err
	}
}

func (tp tamperer) SetData(ctx context.Context, position int64, data string) error {
	return tp.exec(ctx, false, execSQL(`UPDATE events SET data = ? WHERE global_position = ?`, data, position))
}

func (tp tamperer) Delete(ctx context.Context, positions ...int64) error {
	var stmts []func(*sql.Tx) error
	for _, p := range positions {
		stmts = append(stmts, execSQL(`DELETE FROM events WHERE global_position = ?`, p))
	}
	return tp.exec(ctx, false, stmts...)
}

func (tp tamperer) Swap(ctx context.Context, a, b int64) error {
	// Move a out of the way, move b to a, then the old a to b.
	return tp.exec(ctx, false,
		execSQL(`UPDATE events SET global_position = -1, event_id = event_id || '-', stream_version = -stream_version WHERE global_position = ?`, a),
		execSQL(`UPDATE events SET global_position = ? WHERE global_position = ?`, a, b),
		execSQL(`UPDATE events SET global_position = ?, event_id = substr(event_id, 1, length(event_id) - 1), stream_version = -stream_version WHERE global_position = -1`, b),
	)
}

func (tp tamperer) Insert(ctx context.Context, e eventstore.Event) error {
	return tp.exec(ctx, true, execSQL(`INSERT INTO events (global_position, event_id, stream_id, stream_type,
		stream_version, event_type, schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.GlobalPosition, e.ID.String(), e.StreamID, e.StreamType, e.StreamVersion, e.Type, e.SchemaVersion,
		string(e.Data), string(e.Metadata), e.OccurredAt.UnixMicro(), e.RecordedAt.UnixMicro(), e.PrevHash[:], e.Hash[:]))
}

func (tp tamperer) SetSeal(ctx context.Context, s eventstore.Seal) error {
	return tp.exec(ctx, true, execSQL(`UPDATE chain_seal SET position = ?, hash = ?, sealed_at = ?, mac = ? WHERE id = 1`,
		s.Position, s.Hash[:], s.SealedAt.UnixMicro(), s.MAC))
}

func (tp tamperer) DeleteSeal(ctx context.Context) error {
	return tp.exec(ctx, true, execSQL(`DELETE FROM chain_seal`))
}

func (tp tamperer) PlainUpdate(ctx context.Context, position int64) error {
	return tp.exec(ctx, true, execSQL(`UPDATE events SET data = '{}' WHERE global_position = ?`, position))
}

func (tp tamperer) PlainDelete(ctx context.Context, position int64) error {
	return tp.exec(ctx, true, execSQL(`DELETE FROM events WHERE global_position = ?`, position))
}

// TestDurabilitySettings: WAL with synchronous=FULL is what makes an
// acknowledged append survive power loss.
func TestDurabilitySettings(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "careledger.db"), eventstore.Options{})
	require.NoError(t, err)
	defer s.Close()
	var mode string
	var synchronous int
	require.NoError(t, s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	require.NoError(t, s.DB().QueryRow(`PRAGMA synchronous`).Scan(&synchronous))
	require.Equal(t, "wal", mode)
	require.Equal(t, 2, synchronous, "synchronous=FULL")
}
