package projections_test

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
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/analytics"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/projections/report"
)

// The views of a case — the case view, the deadlines, the statistics and
// the trace-back report — are all derived from the domain's one fold of
// it (domain.CaseFacts), so where the old folds disagreed they now agree.

// newCounty makes a county with a caseworker and a child
// (commandstest.County), whose commands run with a clock at now.
func newCounty(t *testing.T, store eventstore.Store, now time.Time) (c commandstest.County, child string) {
	c = commandstest.NewCounty(t, store, commands.WithClock(func() time.Time { return now }))
	return c, c.RegisterChild(t)
}

// forward records the case's report to the police, at at.
func forward(t *testing.T, c commandstest.County, caseID string, at time.Time) {
	_, err := c.Handlers.ForwardToPolice(context.Background(), c.Caseworker, commands.ForwardToPolice{CaseID: caseID, OccurredAt: at, PoliceUnit: "泰山派出所"})
	require.NoError(t, err)
}

// caughtUp applies the whole log to every read model; none may stop.
func caughtUp(t *testing.T, b enginetest.Backend) *engine.Engine {
	e := enginetest.CatchUp(t, b, projections.All()...)
	for _, s := range e.Statuses() {
		require.NoError(t, s.Stopped, "projection %s stopped", s.Name)
	}
	return e
}

func policeDeadline(t *testing.T, rows []deadlines.Row) deadlines.Row {
	for _, r := range rows {
		if r.Kind == domain.KindPoliceReport.String() {
			return r
		}
	}
	t.Fatal("no police_report obligation")
	return deadlines.Row{}
}

func reportDeadline(t *testing.T, rep *report.Report, kind domain.DeadlineKind) report.Deadline {
	for _, d := range rep.Deadlines {
		if d.Kind == kind.String() {
			return d
		}
	}
	t.Fatalf("the report has no %s obligation", kind)
	return report.Deadline{}
}

// TestBackdatedSecondPoliceReportAgrees: the case is forwarded to the
// police three hours after the report, then a second forward is entered
// that happened thirty minutes after it. Every view takes the earliest
// business time — the old case view kept the first one recorded.
func TestBackdatedSecondPoliceReportAgrees(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		now := time.Now()
		received := now.Add(-10 * 24 * time.Hour).Truncate(time.Second)
		c, child := newCounty(t, b.Store, now)
		caseID := c.Report(t, child, received, domain.RiskHigh, "邻居来电", "living_alone")
		forward(t, c, caseID, received.Add(3*time.Hour))
		forward(t, c, caseID, received.Add(30*time.Minute))
		earliest := received.Add(30 * time.Minute).UTC()
		caughtUp(t, b)

		view, err := caseview.Find(ctx, b.DB, caseID)
		require.NoError(t, err)
		require.NotNil(t, view.PoliceReportedAt)
		assert.Equal(t, earliest, view.PoliceReportedAt.UTC(), "the case view")

		rows, err := deadlines.OfCase(ctx, b.DB, caseID)
		require.NoError(t, err)
		police := policeDeadline(t, rows)
		require.NotNil(t, police.MetAt)
		assert.Equal(t, earliest, police.MetAt.UTC(), "the deadline view")
		assert.Equal(t, domain.DeadlineMet.String(), police.Status, "met within the hour")

		stats, err := analytics.Stats(ctx, b.DB, "source", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
		require.NoError(t, err)
		require.Len(t, stats.Groups, 1)
		require.NotNil(t, stats.Groups[0].MedianPoliceReportHours)
		assert.InDelta(t, 0.5, *stats.Groups[0].MedianPoliceReportHours, 1e-9, "the statistics")

		require.NoError(t, accesslog.Migrate(ctx, b.DB), "the report reads who read the record")
		rep, err := report.BuildTraceReport(ctx, record.New(b.Store), b.DB, b.DB, report.Subject{CaseID: caseID}, time.Time{}, domain.All)
		require.NoError(t, err)
		traced := reportDeadline(t, rep, domain.KindPoliceReport)
		require.NotNil(t, traced.MetAt)
		assert.Equal(t, earliest, traced.MetAt.UTC(), "the trace-back report")
		assert.Equal(t, domain.DeadlineMet.String(), traced.Status)
	})
}

// TestSecondReportInAStreamAgrees: a stream that holds a second
// ReportReceived (no command records one; a hand-made or imported history
// might) — the old case view stopped on it, the others each handled it
// their own way. Now no projection stops, and every view is the case the
// first report opened.
func TestSecondReportInAStreamAgrees(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		now := time.Now()
		received := now.Add(-2 * time.Hour).Truncate(time.Second)
		c, child := newCounty(t, b.Store, now)
		caseID := c.Report(t, child, received, domain.RiskHigh, "邻居来电", "neglect")

		// The second report: another risk, other concerns, another time.
		dropout, err := domain.ParseConcerns([]string{"dropout"})
		require.NoError(t, err)
		src, err := domain.ParseSource("walk_in")
		require.NoError(t, err)
		rt, err := domain.ParseReporterType("school")
		require.NoError(t, err)
		second := domain.ReportReceived{CaseID: caseID, ChildID: child, Jurisdiction: enginetest.Jur(t, "370902101201"),
			Source: src, Reporter: domain.Reporter{Type: rt}, Concerns: dropout, Risk: domain.RiskLow, Summary: "again"}
		events, err := eventlog.New().Encode([]domain.Change{{Event: second, Actor: c.Caseworker.Principal.Actor,
			OccurredAt: received.Add(-time.Hour)}}, eventlog.Envelope{})
		require.NoError(t, err)
		_, err = b.Store.Append(ctx, eventlog.StreamRef(domain.CaseStream(caseID)), eventstore.AnyVersion, events...)
		require.NoError(t, err)
		caughtUp(t, b)

		view, err := caseview.Find(ctx, b.DB, caseID)
		require.NoError(t, err)
		assert.Equal(t, []string{"neglect"}, view.Concerns, "the case view keeps the first report")
		assert.Equal(t, "high", view.Risk)
		assert.Equal(t, "hotline_12355", view.Source)
		assert.Equal(t, received.UTC(), view.ReceivedAt.UTC())
		assert.Equal(t, int64(2), view.Version, "the second report still counts in the version")

		rows, err := deadlines.OfCase(ctx, b.DB, caseID)
		require.NoError(t, err)
		var kinds []string
		for _, r := range rows {
			kinds = append(kinds, r.Kind)
			assert.Equal(t, received.UTC(), r.StartedAt.UTC(), "%s runs from the first report", r.Kind)
		}
		assert.ElementsMatch(t, []string{"police_report", "first_response", "assignment"}, kinds,
			"a mandatory concern (neglect) of the first report: a police report is owed")
		firstResponse := rows[0]
		for _, r := range rows {
			if r.Kind == domain.KindFirstResponse.String() {
				firstResponse = r
			}
		}
		assert.Equal(t, received.Add(24*time.Hour).UTC(), firstResponse.DueAt.UTC(), "due by the first report's high risk")

		stats, err := analytics.Stats(ctx, b.DB, "concern", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
		require.NoError(t, err)
		require.Len(t, stats.Groups, 1, "one case, counted under the first report's one concern")
		assert.Equal(t, "neglect", stats.Groups[0].Key)
		bySource, err := analytics.Stats(ctx, b.DB, "source", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
		require.NoError(t, err)
		require.Len(t, bySource.Groups, 1)
		assert.Equal(t, "hotline_12355", bySource.Groups[0].Key)

		require.NoError(t, accesslog.Migrate(ctx, b.DB), "the report reads who read the record")
		rep, err := report.BuildTraceReport(ctx, record.New(b.Store), b.DB, b.DB, report.Subject{CaseID: caseID}, time.Time{}, domain.All)
		require.NoError(t, err)
		var reported []string
		for _, d := range rep.Deadlines {
			if d.CaseID == caseID {
				reported = append(reported, d.Kind)
				assert.Equal(t, received.UTC(), d.StartedAt.UTC(), "%s runs from the first report in the report too", d.Kind)
			}
		}
		assert.ElementsMatch(t, kinds, reported, "the report derives the same obligations as the deadline view")
		assert.Equal(t, received.Add(24*time.Hour).UTC(), reportDeadline(t, rep, domain.KindFirstResponse).DueAt.UTC())
	})
}
