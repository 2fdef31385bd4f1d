package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/projections/register"
	"github.com/careledger/careledger/projections/report"
	"github.com/careledger/careledger/projections/timeline"
)

var inspector = domain.Principal{Actor: domain.Actor{Subject: "insp", Role: domain.RoleInspector, Jurisdiction: domain.All}}

// caseworkerAndChild registers a caseworker of the county 370902 and a
// child of one of its villages (commandstest.County), on the real clock.
func caseworkerAndChild(t *testing.T, b enginetest.Backend) (c commandstest.County, child string) {
	c = commandstest.NewCounty(t, b.Store)
	return c, c.RegisterChild(t)
}

// receiveReport records a high-risk report about the child living alone
// (which asks for a police report within the hour).
func receiveReport(t *testing.T, c commandstest.County, child string, at time.Time) string {
	return c.Report(t, child, at, domain.RiskHigh, "独自在家", "living_alone")
}

func positions(items []timeline.Item) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.GlobalPosition)
	}
	return out
}

func latePositions(items []report.LateEntry) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.GlobalPosition)
	}
	return out
}

func deadlinesOf(r *report.Report, kind string) map[string]report.Deadline {
	out := map[string]report.Deadline{}
	for _, d := range r.Deadlines {
		if d.Kind == kind {
			out[d.CaseID] = d
		}
	}
	return out
}

// TestInquiryReportAsOf: a case whose police report was never made, a
// policy change in between, and a visit entered afterwards with an earlier
// occurred_at. Today's report holds the visit and flags it late; the report
// as the record stood before it was entered does not hold it; the missed
// police report is judged by the policy in force when its clock started.
func TestInquiryReportAsOf(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c, child := caseworkerAndChild(t, b)
		h, cw, worker := c.Handlers, c.Caseworker, c.WorkerID
		inspector := domain.Principal{Actor: domain.Actor{Subject: "insp", Role: domain.RoleInspector, Jurisdiction: enginetest.Jur(t, "3709")}}
		received := time.Now().Add(-10 * 24 * time.Hour).Truncate(time.Second)
		caseA := receiveReport(t, c, child, received)

		policy := domain.DefaultPolicy()
		policy.PoliceReport = domain.Hours(2)
		_, err := h.ChangePolicy(ctx, c.Admin, commands.ChangePolicy{Policy: policy})
		require.NoError(t, err)
		time.Sleep(5 * time.Millisecond)
		caseB := receiveReport(t, c, child, time.Now())
		inq, err := h.OpenInquiry(ctx, commands.Call{Principal: inspector}, commands.OpenInquiry{ChildID: child, IncidentAt: received.Add(3 * time.Hour), Reason: "儿童独居未报警"})
		require.NoError(t, err)
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{})
		require.NoError(t, accesslog.Migrate(ctx, b.DB))

		time.Sleep(5 * time.Millisecond)
		before := time.Now()
		time.Sleep(5 * time.Millisecond)
		visit, err := h.RecordVisit(ctx, cw, commands.RecordVisit{ChildID: child, OccurredAt: time.Now().Add(-5 * 24 * time.Hour), Findings: "家中无人"})
		require.NoError(t, err)
		visitPos := visit.LastPosition()
		rec := record.New(b.Store)

		today, err := report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, time.Time{}, inspector.Jurisdiction)
		require.NoError(t, err)
		then, err := report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, before, inspector.Jurisdiction)
		require.NoError(t, err)

		assert.Equal(t, child, today.Subject.Child)
		assert.Equal(t, "370902101201", today.Subject.Jurisdiction)
		assert.ElementsMatch(t, []string{caseA, caseB}, today.Subject.CaseIDs)
		assert.Equal(t, report.Worker{Name: "王芳", Role: "caseworker", Jurisdiction: "370902"}, today.Workers[worker],
			"the report names the workers it mentions")
		assert.NotContains(t, today.Workers, "insp", "an inspector without a register entry")
		assert.Equal(t, "insp", today.OpenedBy.Subject)
		assert.True(t, today.Integrity.OK)
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		assert.Equal(t, head.Position, today.Integrity.Checked)
		assert.Equal(t, head, today.Integrity.Head, "the report names the head it verified")
		assert.True(t, today.Integrity.Full, "the reader's first verification walks the whole log")
		assert.Equal(t, head.Position, today.Integrity.Walked)
		assert.Equal(t, head, today.Integrity.LastFullWalk.Head)
		// The second report goes on from the head the first verified: it
		// re-hashes that event alone, and still covers the whole log.
		assert.True(t, then.Integrity.OK)
		assert.False(t, then.Integrity.Full)
		assert.Equal(t, int64(1), then.Integrity.Walked)
		assert.Equal(t, head.Position, then.Integrity.Checked)
		assert.Equal(t, today.Integrity.LastFullWalk, then.Integrity.LastFullWalk)
		assert.Len(t, today.Streams, 3, "the child's and its two cases'")
		for _, s := range today.Streams {
			stored, err := b.Store.ReadStream(ctx, s.StreamID, 0, 0)
			require.NoError(t, err)
			last := stored[len(stored)-1]
			assert.Equal(t, last.Hash.String(), s.LastHash, s.StreamID)
			assert.Equal(t, last.GlobalPosition, s.LastPosition, s.StreamID)
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

		police := deadlinesOf(today, "police_report")
		require.Contains(t, police, caseA)
		require.Contains(t, police, caseB)
		assert.Equal(t, "missed", police[caseA].Status)
		assert.Equal(t, int64(0), police[caseA].PolicyVersion, "judged by the policy in force when the report came in")
		assert.True(t, received.Add(time.Hour).Equal(police[caseA].DueAt), "due an hour after the report came in")
		assert.NotEmpty(t, police[caseA].OwnerAtIncident)
		assert.Equal(t, int64(1), police[caseB].PolicyVersion)
		assert.Equal(t, 2*time.Hour, police[caseB].DueAt.Sub(police[caseB].StartedAt))
		require.Len(t, today.PolicyVersions, 2)
		assert.True(t, today.PolicyVersions[0].Applied)
		assert.True(t, today.PolicyVersions[1].Applied)

		// The same report without an inquiry, for the case: its own deadlines
		// and its child's, no owner at an incident.
		trace, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseA}, before, inspector.Jurisdiction)
		require.NoError(t, err)
		assert.Equal(t, []string{caseA}, trace.Subject.CaseIDs)
		assert.NotContains(t, positions(trace.Timeline), visitPos)
		assert.NotEmpty(t, trace.Deadlines)
		for _, d := range trace.Deadlines {
			assert.Empty(t, d.OwnerAtIncident)
			assert.NotEqual(t, caseB, d.CaseID)
		}

		// An inspector of another city finds no such inquiry, nor the case.
		_, err = report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, time.Time{}, enginetest.Jur(t, "3701"))
		assert.ErrorIs(t, err, report.ErrNoInquiry)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseA}, time.Time{}, enginetest.Jur(t, "3701"))
		assert.ErrorIs(t, err, domain.ErrNotFound)
		// Nor does anyone before the inquiry was opened.
		_, err = report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, received, inspector.Jurisdiction)
		assert.ErrorIs(t, err, report.ErrNoInquiry)
	})
}

// TestBackDatedPoliceReport is the disagreement of issue 11: a case whose
// second police report is back-dated — it occurred before the first but was
// recorded after it. The report's police_report obligation is met at the
// earliest business time, as the case view and the case's facts have it,
// and its late entries list the back-dated forward, not the first one.
func TestBackDatedPoliceReport(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c, child := caseworkerAndChild(t, b)
		h, cw := c.Handlers, c.Caseworker
		received := time.Now().Add(-100 * time.Hour).Truncate(time.Second)
		caseID := receiveReport(t, c, child, received)
		first, err := h.ForwardToPolice(ctx, cw, commands.ForwardToPolice{CaseID: caseID, OccurredAt: time.Now().Add(-10 * time.Minute).Truncate(time.Second), PoliceUnit: "城关派出所"})
		require.NoError(t, err)
		backDated := received.Add(30 * time.Minute)
		second, err := h.ForwardToPolice(ctx, cw, commands.ForwardToPolice{CaseID: caseID, OccurredAt: backDated, PoliceUnit: "城关派出所"})
		require.NoError(t, err)
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{})
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		rec := record.New(b.Store)

		r, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseID}, time.Time{}, inspector.Jurisdiction)
		require.NoError(t, err)
		police := deadlinesOf(r, "police_report")
		require.Contains(t, police, caseID)
		d := police[caseID]
		assert.Equal(t, "met", d.Status, "met within the hour by the back-dated forward")
		require.NotNil(t, d.MetAt)
		assert.True(t, backDated.Equal(*d.MetAt), "met at %s, want the earliest business time %s", d.MetAt, backDated)

		late := latePositions(r.LateEntries)
		assert.Contains(t, late, second.LastPosition(), "the back-dated forward was recorded ~100 h after it occurred")
		assert.NotContains(t, late, first.LastPosition(), "the first forward was recorded as it happened")

		// The case's facts and the case view agree with the report.
		facts, err := rec.Case(ctx, caseID)
		require.NoError(t, err)
		require.NotNil(t, facts.PoliceReportedAt)
		assert.True(t, d.MetAt.Equal(*facts.PoliceReportedAt))
		view, err := caseview.Find(ctx, b.DB, caseID)
		require.NoError(t, err)
		require.NotNil(t, view.PoliceReportedAt)
		assert.True(t, d.MetAt.Equal(*view.PoliceReportedAt), "case view %s, report %s", view.PoliceReportedAt, d.MetAt)
	})
}

// TestReportTimelineIsTheTimelineView: the report replays the log into the
// same entries — summaries with a referral's agency and service included —
// as the timeline read model holds, and its child report covers every case
// of the child.
func TestReportTimelineIsTheTimelineView(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c, child := caseworkerAndChild(t, b)
		h, cw := c.Handlers, c.Caseworker
		received := time.Now().Add(-5 * time.Hour).Truncate(time.Second)
		caseA := receiveReport(t, c, child, received)
		caseB := receiveReport(t, c, child, received.Add(time.Hour))
		education, _ := domain.ParseAgency("education")
		service, _ := domain.ParseService("return_to_school")
		ref, err := h.MakeReferral(ctx, cw, commands.MakeReferral{CaseID: caseA, Agency: education, Service: service, Note: "返校"})
		require.NoError(t, err)
		_, err = h.AcceptReferral(ctx, cw, commands.AcceptReferral{CaseID: caseA, ReferralID: ref.ReferralID})
		require.NoError(t, err)
		enginetest.CatchUp(t, b, caseview.Projection{}, timeline.Projection{}, register.Projection{})
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		rec := record.New(b.Store)

		r, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{ChildID: child}, time.Time{}, inspector.Jurisdiction)
		require.NoError(t, err)
		assert.Equal(t, []string{caseA, caseB}, r.Subject.CaseIDs, "oldest first")
		assert.Equal(t, child, r.Subject.ChildID)
		view, err := timeline.OfChild(ctx, b.DB, child, time.Time{})
		require.NoError(t, err)
		require.Len(t, view, 5, "the registration, two reports, a referral and its acceptance")
		assert.Equal(t, view, r.Timeline)

		var accepted string
		for _, it := range r.Timeline {
			if it.Type == (domain.ReferralAccepted{}).EventType() {
				accepted = it.Summary
				assert.Equal(t, caseA, it.CaseID)
			}
		}
		assert.Contains(t, accepted, education.Zh(), "the answer names the agency")
		assert.Contains(t, accepted, service.Zh(), "and the service")

		_, err = report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{ChildID: "no-such-child"}, time.Time{}, inspector.Jurisdiction)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseA, ChildID: child}, time.Time{}, inspector.Jurisdiction)
		assert.ErrorIs(t, err, domain.ErrInvalid)
		_, err = report.BuildInquiryReport(ctx, rec, b.DB, b.DB, "no-such-inquiry", time.Time{}, inspector.Jurisdiction)
		assert.ErrorIs(t, err, report.ErrNoInquiry)
	})
}
