package analytics_test

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
	"github.com/careledger/careledger/projections/analytics"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// oneCase is a case about the child of a county (commandstest.County),
// received at Received.
type oneCase struct {
	commandstest.County
	CaseID   string
	Received time.Time
}

// openOneCase opens a case about the county's child on a report of
// neglect, of low risk.
func openOneCase(t *testing.T, store eventstore.Store) oneCase {
	c := commandstest.NewCounty(t, store, commands.WithClock(func() time.Time { return enginetest.Now }))
	received := enginetest.Now.Add(-48 * time.Hour)
	return oneCase{County: c, CaseID: c.Report(t, c.RegisterChild(t), received, domain.RiskLow, "来电", "neglect"), Received: received}
}

// hours is *p, or -1 for nil.
func hours(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// TestBackDatedPoliceReport: a second forward to the police, recorded
// after the first but back-dated before it, is what the statistics
// measure — the earliest business time, the same moment the case view
// shows (and the deadlines read).
func TestBackDatedPoliceReport(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c := openOneCase(t, b.Store)
		forward := func(after time.Duration) {
			_, err := c.Handlers.ForwardToPolice(ctx, c.Caseworker, commands.ForwardToPolice{CaseID: c.CaseID, OccurredAt: c.Received.Add(after), PoliceUnit: "城关派出所"})
			require.NoError(t, err)
		}
		policeHours := func() float64 {
			res, err := analytics.Stats(ctx, b.DB, "jurisdiction", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
			require.NoError(t, err)
			require.Len(t, res.Groups, 1)
			require.Equal(t, 1, *res.Groups[0].Count)
			return hours(res.Groups[0].MedianPoliceReportHours)
		}
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 1}, analytics.Projection{}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		forward(10 * time.Hour)
		require.NoError(t, e.CatchUp(ctx))
		require.Equal(t, 10.0, policeHours())

		forward(2 * time.Hour) // recorded later, happened earlier
		require.NoError(t, e.CatchUp(ctx))
		assert.Equal(t, 2.0, policeHours(), "the earliest business time")
		view, err := caseview.Find(ctx, b.DB, c.CaseID)
		require.NoError(t, err)
		require.NotNil(t, view.PoliceReportedAt)
		assert.Equal(t, 2.0, view.PoliceReportedAt.Sub(view.ReceivedAt).Hours(), "the case view agrees")

		enginetest.RebuildFromScratch(t, b, analytics.Projection{})
		assert.Equal(t, 2.0, policeHours(), "in one batch too")
	})
}

// TestSecondReportChangesNothing: a stream that holds a second
// ReportReceived (appended by hand, past the domain's rules) neither stops
// the statistics nor moves the case: it counts once, where, when and as
// what the first report said, and the events after it still count.
func TestSecondReportChangesNothing(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c := openOneCase(t, b.Store)
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 1}, analytics.Projection{}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))

		stream := domain.CaseStream(c.CaseID)
		second := domain.ReportReceived{CaseID: c.CaseID, ChildID: "another-child", Jurisdiction: enginetest.Jur(t, "370102001002"),
			Source: commandstest.Must(domain.ParseSource("police")), Reporter: domain.Reporter{Type: commandstest.Must(domain.ParseReporterType("school"))},
			Concerns: commandstest.Must(domain.ParseConcerns([]string{"missing"})), Risk: domain.RiskHigh, Summary: "第二份报告"}
		events, err := eventlog.New().Encode([]domain.Change{{Event: second, Actor: c.Caseworker.Principal.Actor, OccurredAt: c.Received.Add(-24 * time.Hour)}}, eventlog.Envelope{})
		require.NoError(t, err)
		_, err = b.Store.Append(ctx, eventlog.StreamRef(stream), eventstore.Exactly(1), events...)
		require.NoError(t, err)
		_, err = c.Handlers.RecordEmergencyResponse(ctx, c.Caseworker, commands.RecordEmergencyResponse{CaseID: c.CaseID,
			OccurredAt: c.Received.Add(3 * time.Hour), Action: "home_visit"})
		require.NoError(t, err)

		check := func(t *testing.T) {
			t.Helper()
			for _, st := range e.Statuses() {
				assert.NoError(t, st.Stopped, st.Name)
			}
			for groupBy, key := range map[string]string{"jurisdiction": "370902101201", "county": "370902", "source": "hotline_12355",
				"risk": "low", "concern": "neglect", "month": c.Received.In(domain.ChinaStandardTime).Format("2006-01")} {
				res, err := analytics.Stats(ctx, b.DB, groupBy, time.Time{}, time.Time{}, domain.All, analytics.Limits{})
				require.NoError(t, err)
				require.Len(t, res.Groups, 1, groupBy)
				assert.Equal(t, key, res.Groups[0].Key, groupBy)
				assert.Equal(t, 1, *res.Groups[0].Count, groupBy)
				assert.Equal(t, 3.0, hours(res.Groups[0].MedianFirstResponseHours), "%s: from the first report's receipt", groupBy)
			}
			view, err := caseview.Find(ctx, b.DB, c.CaseID)
			require.NoError(t, err)
			assert.Equal(t, c.Received.UTC(), view.ReceivedAt, "the case view agrees")
			assert.Equal(t, "370902101201", view.Jurisdiction.String())
		}
		require.NoError(t, e.CatchUp(ctx))
		enginetest.WaitHead(t, e, b.Store) // fails if a projection stopped short of the head
		check(t)
		enginetest.RebuildFromScratch(t, b, analytics.Projection{})
		check(t)
	})
}
