package projections_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections"
)

type backend struct {
	store   eventstore.Store
	db      *sql.DB
	dialect projections.Dialect
}

func backends(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "careledger.db")
		s, err := sqlite.Open(context.Background(), path, eventstore.Options{SealKey: []byte("k")})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		db, err := projections.OpenSQLite(path)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		fn(t, backend{store: s, db: db, dialect: projections.SQLite})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := pgtest.NewDatabase(t)
		s, err := postgres.Open(context.Background(), url, eventstore.Options{SealKey: []byte("k")})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		db := projections.OpenPostgres(s.Pool())
		t.Cleanup(func() { db.Close() })
		fn(t, backend{store: s, db: db, dialect: projections.Postgres})
	})
}

var now = time.Date(2026, 6, 1, 10, 0, 0, 0, domain.ChinaStandardTime)

func jur(t testing.TB, s string) domain.Jurisdiction {
	j, err := domain.ParseJurisdiction(s)
	require.NoError(t, err)
	return j
}

// workload drives random commands — reports, assignments, follow-ups,
// referrals and their answers, guardianship, closures, reopenings — from
// several goroutines at once, deterministically per goroutine from seed.
func workload(t *testing.T, store eventstore.Store, seed uint64, writers, steps int) {
	ctx := context.Background()
	h := commands.New(store, commands.WithClock(func() time.Time { return now }))
	admin := domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}
	cw, err := h.RegisterWorker(ctx, commands.Call{Principal: admin}, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")})
	require.NoError(t, err)
	caseworker := domain.Principal{Actor: domain.Actor{Subject: cw.ID, Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")}}
	call := commands.Call{Principal: caseworker}
	cats, _ := domain.ParseCategories([]string{"left_behind"})
	sex, _ := domain.ParseSex("male")
	child, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: domain.ChildRegistered{
		Name: "小明", BirthDate: domain.NewDate(2015, 1, 1), Sex: sex, Jurisdiction: jur(t, "370902101201"),
		Categories: cats, Guardian: domain.Guardian{Name: "张三", Relation: "grandfather"}}})
	require.NoError(t, err)
	concerns, _ := domain.ParseConcerns([]string{"neglect"})
	src, _ := domain.ParseSource("hotline_12355")
	rt, _ := domain.ParseReporterType("neighbour")
	education, _ := domain.ParseAgency("education")
	service, _ := domain.ParseService("return_to_school")
	ground, _ := domain.ParseGround("guardian_missing")
	placement, _ := domain.ParsePlacement("kin")
	outcome, _ := domain.ParseGuardianshipOutcome("returned_to_family")
	reason, _ := domain.ParseClosureReason("resolved")

	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			var cases []string
			referrals := map[string][]string{}
			at := now.Add(-time.Hour)
			for range steps {
				if len(cases) == 0 || rng.IntN(5) == 0 {
					res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: child.ID, Source: src,
						Reporter: domain.Reporter{Type: rt}, Concerns: concerns, Risk: domain.RiskLow, ReceivedAt: at.Add(-time.Hour), Summary: "来电"})
					if assert.NoError(t, err) {
						cases = append(cases, res.ID)
					}
					continue
				}
				id := cases[rng.IntN(len(cases))]
				var err error
				switch rng.IntN(8) {
				case 0:
					_, err = h.AssignCase(ctx, call, commands.AssignCase{CaseID: id, WorkerID: cw.ID})
				case 1:
					_, err = h.RecordFollowUp(ctx, call, commands.RecordFollowUp{CaseID: id, OccurredAt: at, Note: "回访"})
				case 2:
					var res commands.Result
					res, err = h.MakeReferral(ctx, call, commands.MakeReferral{CaseID: id, Agency: education, Service: service})
					if err == nil {
						referrals[id] = append(referrals[id], res.ReferralID)
					}
				case 3:
					if rs := referrals[id]; len(rs) > 0 {
						_, err = h.AcceptReferral(ctx, call, commands.AcceptReferral{CaseID: id, ReferralID: rs[rng.IntN(len(rs))]})
					}
				case 4:
					if rs := referrals[id]; len(rs) > 0 {
						_, err = h.CompleteReferral(ctx, call, commands.CompleteReferral{CaseID: id, ReferralID: rs[rng.IntN(len(rs))]})
					}
				case 5:
					_, err = h.StartTemporaryGuardianship(ctx, call, commands.StartTemporaryGuardianship{CaseID: id, OccurredAt: at, Ground: ground, Placement: placement})
				case 6:
					_, err = h.EndTemporaryGuardianship(ctx, call, commands.EndTemporaryGuardianship{CaseID: id, OccurredAt: at, Outcome: outcome})
				case 7:
					if rng.IntN(2) == 0 {
						_, err = h.CloseCase(ctx, call, commands.CloseCase{CaseID: id, OccurredAt: at, Reason: reason})
					} else {
						_, err = h.ReopenCase(ctx, call, commands.ReopenCase{CaseID: id, Reason: "复查"})
					}
				}
				if err != nil && !errors.Is(err, domain.ErrRule) {
					t.Errorf("writer %d: %v", w, err)
				}
			}
		}()
	}
	wg.Wait()
}

// caseRow is what the oracle compares.
type caseRow struct {
	ID, Status, Risk, Assignee string
	GuardianshipActive         bool
	Version                    int64
	Referrals                  string
}

// fromReadModel reads rm_cases and rm_case_referrals.
func fromReadModel(t *testing.T, db *sql.DB) []caseRow {
	rows, err := db.Query(`SELECT case_id, status, risk, coalesce(assignee, ''), guardianship_active, version FROM rm_cases ORDER BY case_id`)
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
		refs, err := db.Query(`SELECT referral_id, status FROM rm_case_referrals WHERE case_id = $1 ORDER BY referral_id`, out[i].ID)
		require.NoError(t, err)
		var parts []string
		for refs.Next() {
			var id, status string
			require.NoError(t, refs.Scan(&id, &status))
			parts = append(parts, id+"="+status)
		}
		refs.Close()
		out[i].Referrals = fmt.Sprint(parts)
	}
	return out
}

// fromEvents folds every case stream with the domain's own aggregate.
func fromEvents(t *testing.T, store eventstore.Store) []caseRow {
	ctx := context.Background()
	all, err := store.ReadLog(ctx, 0, 0)
	require.NoError(t, err)
	reg := domain.NewRegistry()
	streams := map[string][]eventstore.Event{}
	for _, e := range all {
		if e.StreamType == domain.StreamCase {
			streams[e.StreamID] = append(streams[e.StreamID], e)
		}
	}
	var out []caseRow
	for _, events := range streams {
		history, err := commands.DecodeEvents(reg, events)
		require.NoError(t, err)
		c := domain.LoadCase(domain.ChildFacts{}, history)
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

func waitHead(t *testing.T, e *projections.Engine, store eventstore.Store) {
	head, err := store.Head(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, e.WaitFor(ctx, head.Position))
}

// TestCaseViewOracle: the engine runs while concurrent writers work; the
// read model then equals a fold of the events by the domain's aggregate.
// The engine is stopped mid-workload and restarted (a crash of the
// projection process): nothing is lost or applied twice. A rebuild from
// scratch gives the same rows.
func TestCaseViewOracle(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		start := func() (*projections.Engine, context.CancelFunc, chan error) {
			e := projections.New(b.store, b.db, b.dialect, projections.Options{Batch: 37, Poll: 5 * time.Millisecond}, projections.Cases{})
			require.NoError(t, e.Migrate(ctx))
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- e.Run(runCtx) }()
			return e, cancel, done
		}
		_, cancel, done := start()
		workload(t, b.store, 1, 4, 40)
		cancel() // the projection process dies between batches
		require.NoError(t, <-done)

		workload(t, b.store, 2, 4, 40)
		e, cancel, done := start()
		waitHead(t, e, b.store)
		cancel()
		require.NoError(t, <-done)

		want := fromEvents(t, b.store)
		require.NotEmpty(t, want)
		assert.Equal(t, want, fromReadModel(t, b.db))

		// Rebuild: empty the tables and the checkpoint, catch up again.
		for _, q := range []string{`DELETE FROM rm_cases`, `DELETE FROM rm_case_referrals`, `DELETE FROM projection_checkpoints`} {
			_, err := b.db.Exec(q)
			require.NoError(t, err)
		}
		rebuilt := projections.New(b.store, b.db, b.dialect, projections.Options{Batch: 1000}, projections.Cases{})
		require.NoError(t, rebuilt.Migrate(ctx))
		require.NoError(t, rebuilt.CatchUp(ctx))
		assert.Equal(t, want, fromReadModel(t, b.db))
	})
}

// flaky fails its first attempts midway through a batch — after writing
// some rows — as a crash inside the transaction would.
type flaky struct {
	projections.Cases
	failures atomic.Int32
}

func (f *flaky) Apply(ctx context.Context, tx projections.Tx, d projections.Dialect, events []domain.Recorded) error {
	if err := f.Cases.Apply(ctx, tx, d, events[:len(events)/2]); err != nil {
		return err
	}
	if f.failures.Add(-1) >= 0 {
		return errors.New("connection lost mid-batch")
	}
	return f.Cases.Apply(ctx, tx, d, events[len(events)/2:])
}

func TestFailedBatchLeavesNoHalfWrite(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		workload(t, b.store, 3, 2, 30)
		p := &flaky{}
		p.failures.Store(2)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{Batch: 10, Attempts: 4}, p)
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		assert.Equal(t, fromEvents(t, b.store), fromReadModel(t, b.db))
	})
}

// TestPoisonEventStopsTheProjection: an event the projection cannot take
// stops it before that event, with the reason recorded; it is not skipped.
func TestPoisonEventStopsTheProjection(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		workload(t, b.store, 4, 1, 10)
		head, err := b.store.Head(ctx)
		require.NoError(t, err)
		_, err = b.store.Append(ctx, eventstore.StreamRef{ID: "case-poison", Type: domain.StreamCase}, eventstore.NoStream,
			eventstore.NewEvent{Type: "case.from_the_future", SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: now})
		require.NoError(t, err)
		workload(t, b.store, 5, 1, 5)

		e := projections.New(b.store, b.db, b.dialect, projections.Options{Poll: 5 * time.Millisecond}, projections.Cases{})
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { _ = e.Run(runCtx) }()
		final, err := b.store.Head(ctx)
		require.NoError(t, err)
		waitCtx, waitCancel := context.WithTimeout(ctx, 20*time.Second)
		defer waitCancel()
		err = e.WaitFor(waitCtx, final.Position)
		require.ErrorIs(t, err, projections.ErrStopped)

		statuses := e.Statuses()
		require.Len(t, statuses, 1)
		assert.Equal(t, head.Position, statuses[0].Position, "stopped just before the poison event")
		var status, reason string
		require.NoError(t, b.db.QueryRow(`SELECT status, error FROM projection_checkpoints WHERE name = 'cases'`).Scan(&status, &reason))
		assert.Equal(t, "stopped", status)
		assert.Contains(t, reason, "case.from_the_future")
	})
}

func TestRebuildReportsProgress(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		workload(t, b.store, 6, 2, 30)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{Batch: 16, RebuildBatch: 16}, projections.Cases{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		_, err := b.db.Exec(`UPDATE rm_cases SET risk = 'tampered'`)
		require.NoError(t, err)

		var calls int
		var last, total int64
		require.NoError(t, e.Rebuild(ctx, func(d, tot int64) { calls, last, total = calls+1, d, tot }))
		head, err := b.store.Head(ctx)
		require.NoError(t, err)
		assert.Greater(t, calls, 1, "progress is reported batch by batch")
		assert.Equal(t, head.Position, total)
		assert.Equal(t, total, last)
		assert.Equal(t, fromEvents(t, b.store), fromReadModel(t, b.db), "the rebuild undoes a change made behind its back")
		lags, err := e.Lags(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(0), lags[0].Behind)

		err = e.Rebuild(ctx, nil, "nonsense")
		assert.ErrorContains(t, err, "no projection named")
	})
}
