package caseview_test

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
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// TestBackDatedPoliceReport: a second forward to the police, recorded
// after the first but back-dated before it, is the case's police report:
// the view keeps the earliest business time, as the deadlines and the
// statistics do (the old view kept the first one recorded).
func TestBackDatedPoliceReport(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		now := enginetest.Now
		h, cw1 := s.Handlers, s.Caseworker1Call
		first, backDated := now.Add(-20*time.Hour), now.Add(-28*time.Hour) // A2 was received at now-30h
		_, err := h.ForwardToPolice(ctx, cw1, commands.ForwardToPolice{CaseID: s.CaseA2, OccurredAt: first, PoliceUnit: "城关派出所"})
		require.NoError(t, err)
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 1}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		c, err := caseview.Find(ctx, b.DB, s.CaseA2)
		require.NoError(t, err)
		require.NotNil(t, c.PoliceReportedAt)
		require.Equal(t, first.UTC(), *c.PoliceReportedAt)

		_, err = h.ForwardToPolice(ctx, cw1, commands.ForwardToPolice{CaseID: s.CaseA2, OccurredAt: backDated, PoliceUnit: "城关派出所", Reference: "补录"})
		require.NoError(t, err)
		require.NoError(t, e.CatchUp(ctx), "a later batch, applied to the snapshot")
		c, err = caseview.Find(ctx, b.DB, s.CaseA2)
		require.NoError(t, err)
		require.NotNil(t, c.PoliceReportedAt)
		assert.Equal(t, backDated.UTC(), *c.PoliceReportedAt, "the earliest business time")

		f := domain.FoldCase(commandstest.Streams(t, b.Store, domain.StreamCase)[domain.CaseStream(s.CaseA2).String()])
		require.NotNil(t, f.PoliceReportedAt)
		assert.True(t, f.PoliceReportedAt.Equal(*c.PoliceReportedAt), "what the deadlines read")

		enginetest.RebuildFromScratch(t, b, caseview.Projection{})
		c, err = caseview.Find(ctx, b.DB, s.CaseA2)
		require.NoError(t, err)
		assert.Equal(t, backDated.UTC(), *c.PoliceReportedAt, "in one batch too")
	})
}

// TestSecondReportChangesNothing: a stream that holds a second
// ReportReceived (appended by hand, past the domain's rules) neither stops
// the view nor changes the case: its row is the first report's, and the
// events after it still apply — whether the second report comes in a batch
// of its own or with the rest.
func TestSecondReportChangesNothing(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		now := enginetest.Now
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 1}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		before, err := caseview.Find(ctx, b.DB, s.CaseA2)
		require.NoError(t, err)

		appendSecondReport(t, b.Store, s, now.Add(-40*time.Hour))
		_, err = s.Handlers.AssignCase(ctx, s.Caseworker1Call, commands.AssignCase{CaseID: s.CaseA2, WorkerID: s.Caseworker1})
		require.NoError(t, err, "the domain takes the stream too")

		check := func(t *testing.T) {
			t.Helper()
			for _, st := range e.Statuses() {
				assert.NoError(t, st.Stopped, st.Name)
			}
			c, err := caseview.Find(ctx, b.DB, s.CaseA2)
			require.NoError(t, err)
			assert.Equal(t, before.ChildID, c.ChildID)
			assert.Equal(t, before.Jurisdiction, c.Jurisdiction)
			assert.Equal(t, before.Source, c.Source)
			assert.Equal(t, before.Concerns, c.Concerns)
			assert.Equal(t, before.Risk, c.Risk)
			assert.Equal(t, before.ReceivedAt, c.ReceivedAt)
			assert.Equal(t, before.Version+2, c.Version, "the second report counts in the version")
			assert.Equal(t, &s.Caseworker1, c.Assignee, "what follows it applies")
			ids, err := caseview.CasesOfChild(ctx, b.DB, s.ChildC)
			require.NoError(t, err)
			assert.Equal(t, []string{s.CaseC}, ids, "the second report's child gains no case")
			checkView(t, b)
		}
		require.NoError(t, e.CatchUp(ctx))
		enginetest.WaitHead(t, e, b.Store) // fails if the view stopped short of the head
		check(t)
		enginetest.RebuildFromScratch(t, b, caseview.Projection{})
		check(t)
	})
}

// appendSecondReport appends to case A2's stream, as a hand-made history
// would, a second report about another child, elsewhere, at another time.
func appendSecondReport(t *testing.T, store eventstore.Store, s commandstest.Seed, at time.Time) {
	ctx := context.Background()
	stream := domain.CaseStream(s.CaseA2)
	history, err := store.ReadStream(ctx, stream.String(), 0, 0)
	require.NoError(t, err)
	second := domain.ReportReceived{CaseID: s.CaseA2, ChildID: s.ChildC, Jurisdiction: enginetest.Jur(t, "370102001002"),
		Source: commandstest.Must(domain.ParseSource("police")), Reporter: domain.Reporter{Type: commandstest.Must(domain.ParseReporterType("school"))},
		Concerns: commandstest.Must(domain.ParseConcerns([]string{"missing"})), Risk: domain.RiskHigh, Summary: "第二份报告"}
	events, err := eventlog.New().Encode([]domain.Change{{Event: second, OccurredAt: at,
		Actor: domain.Actor{Subject: s.Caseworker2, Role: domain.RoleCaseworker, Jurisdiction: enginetest.Jur(t, "370102")}}}, eventlog.Envelope{})
	require.NoError(t, err)
	_, err = store.Append(ctx, eventlog.StreamRef(stream), eventstore.Exactly(int64(len(history))), events...)
	require.NoError(t, err)
}
