package deadlines_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// ofKind is the case's one obligation of a kind, read through OfCase.
func ofKind(t *testing.T, b enginetest.Backend, caseID, kind string) deadlines.Row {
	db := b.DB
	db.Clock = func() time.Time { return enginetest.Now }
	rows, err := deadlines.OfCase(context.Background(), db, caseID)
	require.NoError(t, err)
	var found []deadlines.Row
	for _, r := range rows {
		if r.Kind == kind {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, kind)
	return found[0]
}

// TestBackdatedSecondPoliceReport: a case forwarded to the police late,
// then a second forward entered afterwards but back-dated to within the
// hour: the police-report obligation is met at the earliest business
// time, as the case's facts (and so the case page and the statistics)
// have it, not at the first one recorded.
func TestBackdatedSecondPoliceReport(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		now := enginetest.Now
		c := commandstest.NewCounty(t, b.Store, commands.WithClock(func() time.Time { return now }))
		received := now.Add(-10 * time.Hour)
		caseID := c.Report(t, c.RegisterChild(t), received, domain.RiskLow, "来电", "neglect")
		_, err := c.Handlers.ForwardToPolice(ctx, c.Caseworker, commands.ForwardToPolice{CaseID: caseID, OccurredAt: received.Add(4 * time.Hour), PoliceUnit: "城区派出所"})
		require.NoError(t, err)

		e := enginetest.CatchUp(t, b, deadlines.New())
		late := ofKind(t, b, caseID, "police_report")
		assert.Equal(t, "met_late", late.Status)
		require.NotNil(t, late.MetAt)
		assert.True(t, received.Add(4*time.Hour).Equal(*late.MetAt))

		earlier := received.Add(30 * time.Minute)
		_, err = c.Handlers.ForwardToPolice(ctx, c.Caseworker, commands.ForwardToPolice{CaseID: caseID, OccurredAt: earlier, PoliceUnit: "城区派出所"})
		require.NoError(t, err)
		require.NoError(t, e.CatchUp(ctx))
		met := ofKind(t, b, caseID, "police_report")
		assert.Equal(t, "met", met.Status)
		require.NotNil(t, met.MetAt)
		assert.True(t, earlier.Equal(*met.MetAt), "met at %s", met.MetAt)
		assert.Equal(t, late.Key, met.Key, "the same obligation")

		facts := domain.FoldCase(streamOf(t, b, domain.CaseStream(caseID)))
		require.NotNil(t, facts.PoliceReportedAt)
		assert.True(t, facts.PoliceReportedAt.Equal(*met.MetAt), "the view agrees with the case's facts")
		assert.Equal(t, oracle(t, b.Store, atHorizon), stored(t, b))
	})
}

// TestSecondReportReceived: a case stream that holds a second
// ReportReceived (no command makes one; it is appended straight to the
// store) does not stop the view, and the case's obligations are those of
// its first report — its risk, concerns, time and place — as the case's
// facts have them.
func TestSecondReportReceived(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		now := enginetest.Now
		c := commandstest.NewCounty(t, b.Store, commands.WithClock(func() time.Time { return now }))
		childID := c.RegisterChild(t)
		received := now.Add(-3 * time.Hour)
		caseID := walkIn(t, c, childID, received)

		abuse, _ := domain.ParseConcerns([]string{"abuse"})
		hotline, _ := domain.ParseSource("hotline_12355")
		childSelf, _ := domain.ParseReporterType("child_self")
		second, err := eventlog.New().Encode([]domain.Change{{
			Event: domain.ReportReceived{CaseID: caseID, ChildID: childID, Jurisdiction: enginetest.Jur(t, "370902101202"),
				Source: hotline, Reporter: domain.Reporter{Type: childSelf}, Concerns: abuse, Risk: domain.RiskHigh, Summary: "再次来电"},
			Actor: c.Caseworker.Principal.Actor, OccurredAt: received.Add(-time.Hour),
		}}, eventlog.Envelope{})
		require.NoError(t, err)
		_, err = b.Store.Append(ctx, eventlog.StreamRef(domain.CaseStream(caseID)), eventstore.AnyVersion, second...)
		require.NoError(t, err)
		_, err = c.Handlers.AssignCase(ctx, c.Caseworker, commands.AssignCase{CaseID: caseID, WorkerID: c.WorkerID})
		require.NoError(t, err)

		e := enginetest.CatchUp(t, b, deadlines.New())
		for _, s := range e.Statuses() {
			assert.NoError(t, s.Stopped, s.Name)
		}
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		assert.Equal(t, head.Position, e.Statuses()[0].Position, "the view applied the whole log")

		db := b.DB
		db.Clock = func() time.Time { return now }
		rows, err := deadlines.OfCase(ctx, db, caseID)
		require.NoError(t, err)
		var kinds []string
		for _, r := range rows {
			kinds = append(kinds, r.Kind)
			assert.Equal(t, "370902101201", r.Jurisdiction.String(), "the first report's place")
		}
		assert.ElementsMatch(t, []string{"first_response", "assignment", "assessment"}, kinds, "no police report: the first report's concern")
		response := ofKind(t, b, caseID, "first_response")
		assert.True(t, received.Equal(response.StartedAt), "from the first report's time")
		assert.True(t, received.Add(7*24*time.Hour).Equal(response.DueAt), "by the first report's (low) risk")

		want := oracle(t, b.Store, atHorizon)
		assert.Equal(t, want, stored(t, b))
		enginetest.RebuildFromScratch(t, b, deadlines.New())
		assert.Equal(t, want, stored(t, b), "rebuilt")
	})
}

// streamOf reads and decodes one stream of the store.
func streamOf(t *testing.T, b enginetest.Backend, id domain.StreamID) []domain.Recorded {
	history, err := eventlog.New().ReadStream(context.Background(), b.Store, id)
	require.NoError(t, err)
	return history
}
