package engine_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
)

const crashChildEnv = "CARELEDGER_PROJECTION_CRASH_DB"

// slow holds each batch open a little, so the kill lands inside one.
type slow struct{ caseview.Projection }

func (s slow) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	if err := s.Projection.Apply(ctx, tx, d, events); err != nil {
		return err
	}
	time.Sleep(20 * time.Millisecond)
	return nil
}

// TestKilledProjectionProcessLosesAndDoublesNothing: a child process runs
// the case view over a synthetic county and is killed with SIGKILL in the
// middle; the engine started again finishes, and the case view equals the
// fold of the events — no event lost, none applied twice (a second report
// for a case would fail its insert).
func TestKilledProjectionProcessLosesAndDoublesNothing(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "careledger.db")
	store, err := sqlite.Open(ctx, path, eventstore.Options{})
	require.NoError(t, err)
	_, err = synth.Make(ctx, store, synth.County{Seed: 11, Children: 400}, nil)
	require.NoError(t, err)
	require.NoError(t, store.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProjectionProcessLosesAndDoublesNothing$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if pos, err := strconv.ParseInt(lines.Text(), 10, 64); err == nil && pos > 0 {
			break // some batches are in; the next is under way
		}
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	store, err = sqlite.Open(ctx, path, eventstore.Options{})
	require.NoError(t, err)
	defer store.Close()
	sqlDB, err := readdb.OpenSQLite(path)
	require.NoError(t, err)
	defer sqlDB.Close()
	db := readdb.DB{SQL: sqlDB, Dialect: readdb.SQLite}
	var before int64
	require.NoError(t, db.SQL.QueryRow(`SELECT position FROM projection_checkpoints WHERE name = 'cases'`).Scan(&before))
	head, err := store.Head(ctx)
	require.NoError(t, err)
	require.Greater(t, before, int64(0), "the killed process had applied some batches")
	require.Less(t, before, head.Position, "and was killed before the end")

	e := engine.New(store, db, engine.Options{Batch: 50}, caseview.Projection{})
	require.NoError(t, e.Migrate(ctx))
	require.NoError(t, e.CatchUp(ctx))
	assert.Equal(t, fromEvents(t, store), fromReadModel(t, db))
}

// crashChild applies the log in small, slow batches, printing the
// checkpoint after each, until it is killed.
func crashChild(path string) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path, eventstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db, err := readdb.OpenSQLite(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	e := engine.New(store, readdb.DB{SQL: db, Dialect: readdb.SQLite}, engine.Options{Batch: 50}, slow{})
	if err := e.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		for {
			time.Sleep(30 * time.Millisecond)
			fmt.Println(e.Statuses()[0].Position)
		}
	}()
	_ = e.CatchUp(ctx)
	time.Sleep(time.Hour)
}
