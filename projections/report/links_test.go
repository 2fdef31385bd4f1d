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
	"github.com/careledger/careledger/projections/inquiries"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/projections/register"
	"github.com/careledger/careledger/projections/report"
)

// TestReportClocksAcrossStreams: a report on one case judges the child's
// report_after_visit by every case of the child, and a major incident's
// inquiry clock by the inquiries into the case or the child, as the
// deadline view does; as the record stood before the inquiry, the clock
// is open.
func TestReportClocksAcrossStreams(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		c, child := caseworkerAndChild(t, b)
		h, cw := c.Handlers, c.Caseworker
		visited := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
		alone := []domain.Concern{commandstest.Must(domain.ParseConcern("living_alone"))}
		_, err := h.RecordVisit(ctx, cw, commands.RecordVisit{ChildID: child, OccurredAt: visited, Findings: "独自在家", Concerns: alone})
		require.NoError(t, err)
		first := receiveReport(t, c, child, visited.Add(20*time.Minute))
		_, err = h.CloseCase(ctx, cw, commands.CloseCase{CaseID: first, OccurredAt: visited.Add(time.Hour), Reason: commandstest.Must(domain.ParseClosureReason("resolved"))})
		require.NoError(t, err)
		second := receiveReport(t, c, child, visited.Add(2*time.Hour))
		declared := time.Now().Add(-time.Hour).Truncate(time.Second)
		_, err = h.DeclareMajorIncident(ctx, cw, commands.DeclareMajorIncident{CaseID: second, OccurredAt: declared, Description: "儿童受伤"})
		require.NoError(t, err)
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{}, inquiries.Projection{})
		time.Sleep(5 * time.Millisecond)
		beforeInquiry := time.Now()
		time.Sleep(5 * time.Millisecond)
		inq, err := h.OpenInquiry(ctx, commands.Call{Principal: inspector}, commands.OpenInquiry{ChildID: child, IncidentAt: declared, Reason: "儿童受伤"})
		require.NoError(t, err)
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{}, inquiries.Projection{})
		rec := record.New(b.Store)

		r, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: second}, time.Time{}, inspector.Jurisdiction)
		require.NoError(t, err)
		visit := kindOf(r, "report_after_visit")
		require.Len(t, visit, 1, "the child's visit, judged in a report on the second case")
		assert.Equal(t, "met", visit[0].Status, "the first case, received 20 minutes after the visit, met it")
		require.NotNil(t, visit[0].MetAt)
		assert.True(t, visited.Add(20*time.Minute).Equal(*visit[0].MetAt))
		assert.Equal(t, cw.Principal.Subject, visit[0].Owner, "the visitor owes the report")

		inquiry := kindOf(r, "inquiry")
		require.Len(t, inquiry, 1)
		assert.Equal(t, "met", inquiry[0].Status, "an inquiry into the child was opened within 7 days")
		assert.Equal(t, "inspector:370902", inquiry[0].Owner)
		facts, err := rec.AsOf(ctx, time.Now(), domain.InquiryStream(inq.ID))
		require.NoError(t, err)
		require.NotNil(t, inquiry[0].MetAt)
		assert.True(t, domain.FoldInquiry(facts[domain.InquiryStream(inq.ID)].Events).OpenedAt.Equal(*inquiry[0].MetAt))

		then, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: second}, beforeInquiry, inspector.Jurisdiction)
		require.NoError(t, err)
		require.Len(t, kindOf(then, "inquiry"), 1)
		assert.Equal(t, "open", kindOf(then, "inquiry")[0].Status, "as the record stood before the inquiry")
	})
}

func kindOf(r *report.Report, kind string) []report.Deadline {
	var out []report.Deadline
	for _, d := range r.Deadlines {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}
