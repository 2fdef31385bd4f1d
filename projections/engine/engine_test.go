package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// caseRow is what the oracle compares.
type caseRow struct {
	ID, Status, Risk, Assignee string
	GuardianshipActive         bool
	Version                    int64
	Referrals                  string
}

// fromReadModel reads rm_cases and rm_case_referrals.
func fromReadModel(t *testing.T, db readdb.DB) []caseRow {
	rows, err := db.SQL.Query(`SELECT case_id, status, risk, coalesce(assignee, ''), guardianship_active, version FROM rm_cases ORDER BY case_id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []caseRow
	for rows.Next() {
		var r caseRow
		var active int
		require.NoError(t, rows.Scan(&r.ID, &r.Status, &r.Risk, &r.Assignee, &active, &r.Version))
		r.GuardianshipActive = active == 1
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	for i := range out {
		refs, err := db.SQL.Query(`SELECT referral_id, status FROM rm_case_referrals WHERE case_id = $1 ORDER BY referral_id`, out[i].ID)
		require.NoError(t, err)
		var parts []string
		for refs.Next() {
			var id, status string
			require.NoError(t, refs.Scan(&id, &status))
			parts = append(parts, id+"="+status)
		}
		require.NoError(t, refs.Err())
		refs.Close()
		out[i].Referrals = fmt.Sprint(parts)
	}
	return out
}

// fromEvents folds every case stream with the domain's own aggregate.
func fromEvents(t *testing.T, store eventstore.Store) []caseRow {
	var out []caseRow
	for _, history := range commandstest.Streams(t, store, domain.StreamCase) {
		c := domain.LoadCase(domain.CaseChild{}, history)
		r := caseRow{ID: c.ID(), Status: c.Status().String(), Risk: c.Risk().String(), Assignee: c.Assignee(), Version: c.Version()}
		if g := c.Guardianship(); g != nil {
			r.GuardianshipActive = g.Active
		}
		refs := c.Referrals()
		sort.Slice(refs, func(i, j int) bool { return refs[i].ID < refs[j].ID })
		var parts []string
		for _, ref := range refs {
			parts = append(parts, ref.ID+"="+ref.Status.String())
		}
		r.Referrals = fmt.Sprint(parts)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// appendPoison appends an event of a type no build knows, in a case stream
// of its own.
func appendPoison(t *testing.T, store eventstore.Store) {
	_, err := store.Append(context.Background(), eventlog.StreamRef(domain.CaseStream("poison")),
		eventstore.NoStream, eventstore.NewEvent{Type: "case.from_the_future", SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: enginetest.Now})
	require.NoError(t, err)
}

// TestCaseViewOracle: the engine runs while concurrent writers work; the
// read model then equals a fold of the events by the domain's aggregate.
// The engine is stopped mid-workload and restarted (a crash of the
// projection process): nothing is lost or applied twice. A rebuild from
// scratch gives the same rows.
func TestCaseViewOracle(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		start := func() (*engine.Engine, context.CancelFunc, chan error) {
			e := engine.New(b.Store, b.DB, engine.Options{Batch: 37, Poll: 5 * time.Millisecond}, caseview.Projection{})
			require.NoError(t, e.Migrate(ctx))
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- e.Run(runCtx) }()
			return e, cancel, done
		}
		_, cancel, done := start()
		commandstest.Workload(t, b.Store, enginetest.Now, 1, 4, 40)
		cancel() // the projection process dies between batches
		require.NoError(t, <-done)

		commandstest.Workload(t, b.Store, enginetest.Now, 2, 4, 40)
		e, cancel, done := start()
		enginetest.WaitHead(t, e, b.Store)
		cancel()
		require.NoError(t, <-done)

		want := fromEvents(t, b.Store)
		require.NotEmpty(t, want)
		assert.Equal(t, want, fromReadModel(t, b.DB))

		// Rebuild: empty the tables and the checkpoint, catch up again.
		enginetest.RebuildFromScratch(t, b, caseview.Projection{})
		assert.Equal(t, want, fromReadModel(t, b.DB))
	})
}

// flaky fails its first attempts midway through a batch — after writing
// some rows — as a crash inside the transaction would.
type flaky struct {
	caseview.Projection
	failures atomic.Int32
}

func (f *flaky) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	if err := f.Projection.Apply(ctx, tx, d, events[:len(events)/2]); err != nil {
		return err
	}
	if f.failures.Add(-1) >= 0 {
		return errors.New("connection lost mid-batch")
	}
	return f.Projection.Apply(ctx, tx, d, events[len(events)/2:])
}

func TestFailedBatchLeavesNoHalfWrite(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 3, 2, 30)
		p := &flaky{}
		p.failures.Store(2)
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 10, Attempts: 4}, p)
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		assert.Equal(t, fromEvents(t, b.Store), fromReadModel(t, b.DB))
		assert.Negative(t, p.failures.Load(), "the batch failed and was tried again")
	})
}

// TestPoisonEventStopsTheProjection: an event the projection cannot take
// stops it before that event, with the reason recorded; it is not skipped.
func TestPoisonEventStopsTheProjection(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 4, 1, 10)
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		appendPoison(t, b.Store)
		commandstest.Workload(t, b.Store, enginetest.Now, 5, 1, 5)

		e := engine.New(b.Store, b.DB, engine.Options{Poll: 5 * time.Millisecond}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { _ = e.Run(runCtx) }()
		final, err := b.Store.Head(ctx)
		require.NoError(t, err)
		waitCtx, waitCancel := context.WithTimeout(ctx, 20*time.Second)
		defer waitCancel()
		err = e.WaitFor(waitCtx, final.Position)
		require.ErrorIs(t, err, engine.ErrStopped)

		statuses := e.Statuses()
		require.Len(t, statuses, 1)
		assert.Equal(t, head.Position, statuses[0].Position, "stopped just before the poison event")
		var status, reason string
		require.NoError(t, b.DB.SQL.QueryRow(`SELECT status, error FROM projection_checkpoints WHERE name = 'cases'`).Scan(&status, &reason))
		assert.Equal(t, "stopped", status)
		assert.Contains(t, reason, "case.from_the_future")
	})
}

func TestRebuildReportsProgress(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 6, 2, 30)
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 16, RebuildBatch: 16}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		_, err := b.DB.SQL.Exec(`UPDATE rm_cases SET risk = 'tampered'`)
		require.NoError(t, err)

		var calls int
		var last, total int64
		require.NoError(t, e.Rebuild(ctx, func(d, tot int64) { calls, last, total = calls+1, d, tot }))
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		assert.Greater(t, calls, 1, "progress is reported batch by batch")
		assert.Equal(t, head.Position, total)
		assert.Equal(t, total, last)
		assert.Equal(t, fromEvents(t, b.Store), fromReadModel(t, b.DB), "the rebuild undoes a change made behind its back")
		lags, err := e.Lags(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(0), lags[0].Behind)

		err = e.Rebuild(ctx, nil, "nonsense")
		assert.ErrorContains(t, err, "no projection named")
	})
}
