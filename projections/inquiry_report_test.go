package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections"
)

// TestInquiryReportAsOf: a case whose police report was never made, a
// policy change in between, and a visit entered afterwards with an earlier
// occurred_at. Today's report holds the visit and flags it late; the report
// as the record stood before it was entered does not hold it; the missed
// police report is judged by the policy in force when its clock started.
func TestInquiryReportAsOf(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		h := commands.New(b.store)
		worker, child := caseworkerAndChild(t, h)
		cw := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: worker, Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")}}}
		admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
		inspector := domain.Principal{Actor: domain.Actor{Subject: "insp", Role: domain.RoleInspector, Jurisdiction: jur(t, "3709")}}
		concerns, err := domain.ParseConcerns([]string{"living_alone"})
		require.NoError(t, err)
		high, _ := domain.ParseRisk("high")
		hotline, _ := domain.ParseSource("hotline_12355")
		anonymous, _ := domain.ParseReporterType("anonymous")
		received := time.Now().Add(-10 * 24 * time.Hour).Truncate(time.Second)
		caseA, _, err := h.ReceiveReport(ctx, cw, commands.ReceiveReport{ChildID: child, Source: hotline,
			Reporter: domain.Reporter{Type: anonymous}, Concerns: concerns, Risk: high, ReceivedAt: received, Summary: "独自在家"})
		require.NoError(t, err)

		policy := domain.DefaultPolicy()
		policy.PoliceReport = domain.Hours(2)
		_, err = h.ChangePolicy(ctx, admin, commands.ChangePolicy{Policy: policy})
		require.NoError(t, err)
		time.Sleep(5 * time.Millisecond)
		caseB, _, err := h.ReceiveReport(ctx, cw, commands.ReceiveReport{ChildID: child, Source: hotline,
			Reporter: domain.Reporter{Type: anonymous}, Concerns: concerns, Risk: high, ReceivedAt: time.Now(), Summary: "再次独自在家"})
		require.NoError(t, err)
		inq, err := h.OpenInquiry(ctx, commands.Call{Principal: inspector}, commands.OpenInquiry{ChildID: child, IncidentAt: received.Add(3 * time.Hour), Reason: "儿童独居未报警"})
		require.NoError(t, err)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.Cases{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))

		time.Sleep(5 * time.Millisecond)
		before := time.Now()
		time.Sleep(5 * time.Millisecond)
		visit, err := h.RecordVisit(ctx, cw, commands.RecordVisit{ChildID: child, OccurredAt: time.Now().Add(-5 * 24 * time.Hour), Findings: "家中无人"})
		require.NoError(t, err)
		visitPos := visit.LastPosition()

		today, err := projections.BuildInquiryReport(ctx, b.store, b.db, inq.ID, time.Time{}, time.Now(), inspector.Jurisdiction)
		require.NoError(t, err)
		then, err := projections.BuildInquiryReport(ctx, b.store, b.db, inq.ID, before, time.Now(), inspector.Jurisdiction)
		require.NoError(t, err)

		assert.ElementsMatch(t, []string{caseA.ID, caseB.ID}, today.Subject.CaseIDs)
		assert.Equal(t, projections.ReportWorker{Name: "王芳", Role: "caseworker", Jurisdiction: "370902"}, today.Workers[worker],
			"the report names the workers it mentions")
		assert.True(t, today.Integrity.OK)
		head, err := b.store.Head(ctx)
		require.NoError(t, err)
		assert.Equal(t, head.Position, today.Integrity.Checked)

		positions := func(items []projections.TimelineItem) []int64 {
			var out []int64
			for _, it := range items {
				out = append(out, it.GlobalPosition)
			}
			return out
		}
		latePositions := func(items []projections.LateEntry) []int64 {
			var out []int64
			for _, it := range items {
				out = append(out, it.GlobalPosition)
			}
			return out
		}
		assert.Contains(t, positions(today.Timeline), visitPos)
		assert.NotContains(t, positions(then.Timeline), visitPos, "entered after the as-of moment")
		assert.Contains(t, latePositions(today.LateEntries), visitPos)
		assert.NotContains(t, latePositions(then.LateEntries), visitPos)
		for _, l := range today.LateEntries {
			if l.GlobalPosition == visitPos {
				assert.InDelta(t, 120, l.DelayHours, 0.1)
				assert.Equal(t, 72.0, l.ThresholdHours)
				assert.Equal(t, worker, l.Actor.Subject)
			}
		}
		for i := 1; i < len(today.Timeline); i++ {
			assert.False(t, today.Timeline[i].OccurredAt.Before(today.Timeline[i-1].OccurredAt), "business-time order")
		}

		police := map[string]projections.ReportDeadline{}
		for _, d := range today.Deadlines {
			if d.Kind == "police_report" {
				police[d.CaseID] = d
			}
		}
		require.Contains(t, police, caseA.ID)
		require.Contains(t, police, caseB.ID)
		assert.Equal(t, "missed", police[caseA.ID].Status)
		assert.Equal(t, int64(0), police[caseA.ID].PolicyVersion, "judged by the policy in force when the report came in")
		assert.True(t, received.Add(time.Hour).Equal(police[caseA.ID].DueAt), "due an hour after the report came in")
		assert.NotEmpty(t, police[caseA.ID].OwnerAtIncident)
		assert.Equal(t, int64(1), police[caseB.ID].PolicyVersion)
		assert.Equal(t, 2*time.Hour, police[caseB.ID].DueAt.Sub(police[caseB.ID].StartedAt))
		require.Len(t, today.PolicyVersions, 2)
		assert.True(t, today.PolicyVersions[0].Applied)
		assert.True(t, today.PolicyVersions[1].Applied)

		// The same report without an inquiry, for the case: its own deadlines
		// and its child's, no owner at an incident.
		trace, err := projections.BuildTraceReport(ctx, b.store, b.db, projections.ReportSubject{CaseID: caseA.ID}, before, time.Now(), inspector.Jurisdiction)
		require.NoError(t, err)
		assert.Equal(t, []string{caseA.ID}, trace.Subject.CaseIDs)
		assert.NotContains(t, positions(trace.Timeline), visitPos)
		for _, d := range trace.Deadlines {
			assert.Empty(t, d.OwnerAtIncident)
			assert.NotEqual(t, caseB.ID, d.CaseID)
		}

		// An inspector of another city finds no such inquiry.
		_, err = projections.BuildInquiryReport(ctx, b.store, b.db, inq.ID, time.Time{}, time.Now(), jur(t, "3701"))
		assert.ErrorIs(t, err, commands.ErrNotFound)
	})
}
