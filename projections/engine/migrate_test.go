package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// tally is a projection made for the engine's tests: a row per event of
// the log in a table of its own (name_events). Typed is the schema of a
// later build, whose rows also keep the event's type.
type tally struct {
	name  string
	typed bool
}

func (p tally) Name() string     { return p.name }
func (p tally) Tables() []string { return []string{p.name + "_events"} }

func (p tally) Schema() []string {
	if p.typed {
		return []string{`CREATE TABLE IF NOT EXISTS ` + p.name + `_events (position {{bigint}} PRIMARY KEY, type TEXT NOT NULL)`}
	}
	return []string{`CREATE TABLE IF NOT EXISTS ` + p.name + `_events (position {{bigint}} PRIMARY KEY)`}
}

func (p tally) Apply(ctx context.Context, tx readdb.Tx, _ readdb.Dialect, events []domain.Recorded) error {
	for _, r := range events {
		var err error
		if p.typed {
			_, err = tx.ExecContext(ctx, `INSERT INTO `+p.name+`_events (position, type) VALUES ($1, $2)`, r.Position, r.Event.EventType())
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO `+p.name+`_events (position) VALUES ($1)`, r.Position)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// count runs a query that counts.
func count(t *testing.T, db readdb.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.SQL.QueryRow(q, args...).Scan(&n))
	return n
}

// positions are the projections' checkpoints, by name, as the engine holds them.
func positions(e *engine.Engine) map[string]int64 {
	out := map[string]int64{}
	for _, s := range e.Statuses() {
		out[s.Name] = s.Position
	}
	return out
}

// TestMigrateRebuildsAChangedSchema: a build whose projection has another
// schema than the tables were made with drops them and makes them again,
// and resets the checkpoint, so that catching up fills them again; a
// projection whose schema did not change keeps its rows and checkpoint,
// and so does a projection migrated again by the same build.
func TestMigrateRebuildsAChangedSchema(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 61, 1, 10)
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		require.Positive(t, head.Position)
		checkpoint := func(name string) int64 {
			return count(t, b.DB, `SELECT position FROM projection_checkpoints WHERE name = $1`, name)
		}

		first := engine.New(b.Store, b.DB, engine.Options{}, tally{name: "changed"}, tally{name: "kept"})
		require.NoError(t, first.Migrate(ctx))
		require.NoError(t, first.CatchUp(ctx))
		require.Equal(t, head.Position, count(t, b.DB, `SELECT count(*) FROM changed_events`))
		require.Equal(t, head.Position, checkpoint("changed"))

		// The next build changes one of the read models.
		next := func() *engine.Engine {
			return engine.New(b.Store, b.DB, engine.Options{}, tally{name: "changed", typed: true}, tally{name: "kept"})
		}
		second := next()
		require.NoError(t, second.Migrate(ctx))
		assert.Zero(t, count(t, b.DB, `SELECT count(*) FROM changed_events`), "the changed read model's table is made again")
		assert.Zero(t, count(t, b.DB, `SELECT count(*) FROM changed_events WHERE type <> ''`), "with the new schema")
		assert.Zero(t, checkpoint("changed"), "its checkpoint is reset")
		assert.Equal(t, map[string]int64{"changed": 0, "kept": head.Position}, positions(second))
		assert.Equal(t, head.Position, count(t, b.DB, `SELECT count(*) FROM kept_events`), "the unchanged read model keeps its rows")
		assert.Equal(t, head.Position, checkpoint("kept"))

		require.NoError(t, second.CatchUp(ctx))
		assert.Equal(t, head.Position, count(t, b.DB, `SELECT count(*) FROM changed_events WHERE type <> ''`), "catching up fills it again")
		assert.Equal(t, head.Position, count(t, b.DB, `SELECT count(*) FROM kept_events`), "and applies nothing twice")
		assert.Equal(t, head.Position, checkpoint("changed"))

		third := next() // the same build, started again
		require.NoError(t, third.Migrate(ctx))
		assert.Equal(t, map[string]int64{"changed": head.Position, "kept": head.Position}, positions(third))
		assert.Equal(t, head.Position, count(t, b.DB, `SELECT count(*) FROM changed_events`), "the same schema is not rebuilt")
	})
}

// TestMigrateUpgradesAnOldCheckpointTable: the checkpoint table of a build
// that did not record schemas gains the schema column; the read models it
// kept, made by a schema no one recorded, are made again and caught up from
// the start of the log, and their schema is recorded.
func TestMigrateUpgradesAnOldCheckpointTable(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 62, 1, 10)
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		for _, q := range []string{
			`CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, position {{bigint}} NOT NULL, status TEXT NOT NULL DEFAULT 'running', error TEXT)`,
			`CREATE TABLE old_events (position {{bigint}} PRIMARY KEY)`,
			`INSERT INTO old_events (position) VALUES (1), (2), (1000)`, // 1000: a row the log does not explain
			`INSERT INTO projection_checkpoints (name, position, status, error) VALUES ('old', 2, 'stopped', 'an old failure')`,
		} {
			_, err := b.DB.SQL.Exec(b.DB.Dialect.DDL(q))
			require.NoError(t, err, q)
		}

		e := engine.New(b.Store, b.DB, engine.Options{}, tally{name: "old"})
		require.NoError(t, e.Migrate(ctx))
		var schema, status string
		require.NoError(t, b.DB.SQL.QueryRow(`SELECT schema, status FROM projection_checkpoints WHERE name = 'old'`).Scan(&schema, &status))
		assert.NotEmpty(t, schema, "the schema is recorded")
		assert.Equal(t, "running", status)
		assert.Zero(t, count(t, b.DB, `SELECT count(*) FROM old_events`), "the table is made again")
		assert.Equal(t, map[string]int64{"old": 0}, positions(e))
		assert.NoError(t, e.Statuses()[0].Stopped)

		require.NoError(t, e.CatchUp(ctx))
		assert.Equal(t, head.Position, count(t, b.DB, `SELECT count(*) FROM old_events`))
		assert.Equal(t, head.Position, count(t, b.DB, `SELECT max(position) FROM old_events`))

		again := engine.New(b.Store, b.DB, engine.Options{}, tally{name: "old"})
		require.NoError(t, again.Migrate(ctx))
		assert.Equal(t, map[string]int64{"old": head.Position}, positions(again), "an upgraded table is upgraded once")
	})
}
