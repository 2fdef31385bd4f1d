package deadlines_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// follow runs an engine with the deadline view, in small batches, while
// work writes (it is given the engine), and waits until it has applied the
// whole log.
func follow(t *testing.T, b enginetest.Backend, work func(e *engine.Engine)) *engine.Engine {
	ctx := context.Background()
	e := engine.New(b.Store, b.DB, engine.Options{Batch: 7, Poll: 2 * time.Millisecond}, deadlines.New())
	require.NoError(t, e.Migrate(ctx))
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	work(e)
	enginetest.WaitHead(t, e, b.Store)
	return e
}

// TestOracle: while the workload runs, the view follows in small batches;
// it then equals the domain's clocks called on each stream's facts at the
// stream's horizon, and so does a rebuild from scratch in one batch. A
// rebuild by the engine ticks its copy before the swap: it equals the
// domain's clocks at the engine's now. The workload covers every kind and
// status, the policy change and closure discharge.
func TestOracle(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		follow(t, b, func(*engine.Engine) { commandstest.ClockWorkload(t, b.Store, enginetest.Now, 11) })

		want := oracle(t, b.Store, atHorizon)
		require.NotEmpty(t, want)
		assert.Equal(t, want, stored(t, b))

		kinds, statuses, both := map[string]bool{}, map[string]bool{}, map[string]bool{}
		newPolicy := false
		for _, r := range want {
			kinds[r.Kind], statuses[r.Status], both[r.Kind+" "+r.Status] = true, true, true
			newPolicy = newPolicy || r.PolicyVersion > 0
		}
		for _, k := range []string{"police_report", "first_response", "assignment", "assessment", "referral_answer", "visit", "info_verification", "training",
			"report_after_visit", "inquiry"} {
			assert.True(t, kinds[k], "workload makes a %s deadline", k)
		}
		for _, s := range []string{"open", "met", "met_late", "missed"} {
			assert.True(t, statuses[s], "workload makes a %s deadline", s)
		}
		assert.True(t, newPolicy, "some deadline is judged by the changed policy")
		for _, ks := range []string{"report_after_visit met_late", "report_after_visit open", "inquiry met", "inquiry open"} {
			assert.True(t, both[ks], "workload makes a %s deadline: discharged, or not, by another stream", ks)
		}

		enginetest.RebuildFromScratch(t, b, deadlines.New())
		assert.Equal(t, want, stored(t, b), "rebuilt from scratch")

		later := enginetest.Now.AddDate(1, 6, 0)
		e := engine.New(b.Store, b.DB, engine.Options{}, deadlines.New())
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.Rebuild(ctx, nil))
		assert.Equal(t, want, stored(t, b), "a rebuild, like the log, knows no clock")
		require.NoError(t, e.Tick(ctx, later))
		ticked := oracle(t, b.Store, atTime(later))
		assert.Greater(t, len(ticked), len(want), "later verifications were added")
		assert.Equal(t, ticked, stored(t, b), "rebuilt by the engine, ticked at its now")
		for _, kind := range []string{"report_after_visit", "inquiry"} {
			assert.True(t, slices.ContainsFunc(ticked, func(r row) bool { return r.Kind == kind && r.Status == "missed" }),
				"the open %s is missed once its time has passed", kind)
		}
	})
}

// TestOwnerFollowsAssignment: an open obligation of an assigned case is
// the assignee's, not the receiving center's.
func TestOwnerFollowsAssignment(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		now := enginetest.Now
		c := commandstest.NewCounty(t, b.Store, commands.WithClock(func() time.Time { return now }))
		caseID := walkIn(t, c, c.RegisterChild(t), now.Add(-time.Hour))
		_, err := c.Handlers.AssignCase(ctx, c.Caseworker, commands.AssignCase{CaseID: caseID, WorkerID: c.WorkerID})
		require.NoError(t, err)

		enginetest.CatchUp(t, b, deadlines.New())
		rows, err := deadlines.Query(ctx, b.DB, deadlines.Filter{Now: now, Owner: c.WorkerID})
		require.NoError(t, err)
		var kinds []string
		for _, r := range rows {
			kinds = append(kinds, r.Kind)
			assert.Equal(t, "open", r.Status)
		}
		assert.ElementsMatch(t, []string{"first_response", "assessment"}, kinds)

		// The case page: the same obligations and the assignment, in due order.
		db := b.DB
		db.Clock = func() time.Time { return now }
		ofCase, err := deadlines.OfCase(ctx, db, caseID)
		require.NoError(t, err)
		require.Len(t, ofCase, 3)
		for i := 1; i < len(ofCase); i++ {
			assert.False(t, ofCase[i].DueAt.Before(ofCase[i-1].DueAt), "due order")
		}
		for _, r := range ofCase {
			assert.Equal(t, caseID, r.CaseID)
		}
		none, err := deadlines.OfCase(ctx, db, "no-such-case")
		require.NoError(t, err)
		assert.NotNil(t, none)
		assert.Empty(t, none)
	})
}

// TestNoPersonalData: no table of the view holds a name, a guardian or a
// summary of the workload, although the facts of every stream are kept.
func TestNoPersonalData(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		commandstest.ClockWorkload(t, b.Store, enginetest.Now, 15)
		p := deadlines.New()
		enginetest.CatchUp(t, b, p)
		var n int
		require.NoError(t, b.DB.SQL.QueryRow(`SELECT count(*) FROM rm_deadline_streams WHERE kind = 'worker'`).Scan(&n))
		require.Equal(t, 3, n, "the workers' facts are kept")
		for _, table := range p.Tables() {
			enginetest.HoldsNone(t, b.DB, table, []string{"王芳", "李娟", "赵强", "小红", "小明", "小刚", "祖父", "来电", "在家"})
		}
	})
}

// walkIn opens a case about child on the child's own walk-in report of
// dropping out, of low risk, received at received.
func walkIn(t testing.TB, c commandstest.County, child string, received time.Time) string {
	res, _, err := c.Handlers.ReceiveReport(context.Background(), c.Caseworker, commands.ReceiveReport{ChildID: child,
		Source: commandstest.Must(domain.ParseSource("walk_in")), Reporter: domain.Reporter{Type: commandstest.Must(domain.ParseReporterType("child_self"))},
		Concerns: commandstest.Must(domain.ParseConcerns([]string{"dropout"})), Risk: domain.RiskLow, ReceivedAt: received, Summary: "到访"})
	require.NoError(t, err)
	return res.ID
}

// keysOf lists the rows' keys.
func keysOf(rows []deadlines.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Key)
	}
	return out
}

// under reports whether a division code lies under a prefix.
func under(code, prefix string) bool { return strings.HasPrefix(code, prefix) }

// TestKeys: obligations that share kind, subject, referral and start (two
// guardianships started at once) are told apart by an ordinal, in order.
func TestKeys(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, domain.ChinaStandardTime)
	g := domain.Deadline{Kind: domain.KindGuardianshipAssessment, SubjectID: "c1", CaseID: "c1", StartedAt: at}
	r := domain.Deadline{Kind: domain.KindReferralAnswer, SubjectID: "c1", CaseID: "c1", ReferralID: "r1", StartedAt: at}
	assert.Equal(t, []string{
		"guardianship_assessment/c1//2026-05-01T00:00:00Z/0",
		"referral_answer/c1/r1/2026-05-01T00:00:00Z/0",
		"guardianship_assessment/c1//2026-05-01T00:00:00Z/1",
	}, deadlines.Keys([]domain.Deadline{g, r, g}))
	assert.Equal(t, "guardianship_assessment/c1//2026-05-01T00:00:00Z/1", deadlines.Key(g, 1))
}
