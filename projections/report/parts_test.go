package report_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/projections/register"
	"github.com/careledger/careledger/projections/report"
	"github.com/careledger/careledger/projections/timeline"
)

// shiftedCounty is a county whose command clock runs back by what back
// holds (zero: the real clock), so that entries can lie in the past of
// business time while the store records them now.
func shiftedCounty(t *testing.T, b enginetest.Backend) (commandstest.County, *atomic.Int64) {
	back := &atomic.Int64{}
	c := commandstest.NewCounty(t, b.Store, commands.WithClock(func() time.Time {
		return time.Now().Add(-time.Duration(back.Load()))
	}))
	return c, back
}

func dateOf(t time.Time) domain.Date {
	t = t.In(domain.ChinaStandardTime)
	return domain.NewDate(t.Year(), t.Month(), t.Day())
}

// pause lets the clock move on, so that moments before and after differ.
func pause() { time.Sleep(5 * time.Millisecond) }

func peopleOf(r *report.Report) map[string]report.Person {
	out := map[string]report.Person{}
	for _, p := range r.People {
		out[p.WorkerID] = p
	}
	return out
}

// TestReportPeople: the report names every registered worker who acted on
// the record or owned one of its obligations, with the post and
// qualification at the incident — a director whose retraining had lapsed
// then stays lapsed in the inquiry report after she is retrained, while a
// trace report judges at its as-of moment — and no one else.
func TestReportPeople(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c, back := shiftedCounty(t, b)
		h := c.Handlers
		back.Store(int64(30 * 24 * time.Hour))
		village := enginetest.Jur(t, "370902101201")
		dir, err := h.RegisterWorker(ctx, c.Admin, commands.RegisterWorker{Name: "李娟", Role: domain.RoleChildDirector, Jurisdiction: village})
		require.NoError(t, err)
		other, err := h.RegisterWorker(ctx, c.Admin, commands.RegisterWorker{Name: "赵强", Role: domain.RoleCaseworker, Jurisdiction: enginetest.Jur(t, "370902")})
		require.NoError(t, err)
		child := c.RegisterChild(t)
		back.Store(0)
		_, err = h.RecordTraining(ctx, c.Admin, commands.RecordTraining{WorkerID: dir.ID, Passed: true, CompletedOn: dateOf(time.Now().AddDate(-2, 0, 0))})
		require.NoError(t, err)
		director := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: dir.ID, Role: domain.RoleChildDirector, Jurisdiction: village}}}
		_, err = h.RecordVisit(ctx, director, commands.RecordVisit{ChildID: child, OccurredAt: time.Now().Add(-5 * 24 * time.Hour), Findings: "家中无人"})
		require.NoError(t, err)
		caseA := receiveReport(t, c, child, time.Now().Add(-3*24*time.Hour))
		inq, err := h.OpenInquiry(ctx, commands.Call{Principal: inspector}, commands.OpenInquiry{ChildID: child, IncidentAt: time.Now().Add(-2 * 24 * time.Hour), Reason: "儿童独居"})
		require.NoError(t, err)
		pause()
		beforeRetraining := time.Now()
		pause()
		_, err = h.RecordTraining(ctx, c.Admin, commands.RecordTraining{WorkerID: dir.ID, Passed: true, CompletedOn: dateOf(time.Now())})
		require.NoError(t, err)
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{})
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		rec := record.New(b.Store)

		r, err := report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, time.Time{}, domain.All)
		require.NoError(t, err)
		people := peopleOf(r)
		assert.Equal(t, report.Person{WorkerID: dir.ID, Name: "李娟", Role: "child_director", Jurisdiction: "370902101201", InPost: true,
			QualificationAtIncident: "lapsed", Involvement: []string{report.InvolvedActor, report.InvolvedOwner}}, people[dir.ID],
			"she visited, owns the village's visits, and her retraining had lapsed at the incident")
		require.Contains(t, people, c.WorkerID)
		assert.Equal(t, "王芳", people[c.WorkerID].Name)
		assert.Equal(t, "qualified", people[c.WorkerID].QualificationAtIncident, "a caseworker needs no training")
		assert.Contains(t, people[c.WorkerID].Involvement, report.InvolvedActor)
		assert.NotContains(t, people, other.ID, "registered, but neither acted nor owned anything")
		assert.NotContains(t, people, "insp", "not in the register")
		assert.NotContains(t, people, "admin")
		assert.Equal(t, c.WorkerID, r.People[0].WorkerID, "in the order they first appear: the caseworker registered the child")
		for _, d := range r.Deadlines {
			if d.Kind == "visit" {
				assert.Equal(t, dir.ID, d.Owner, "the village's visit is hers")
			}
		}

		// A trace report judges at its as-of moment.
		now, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseA}, time.Time{}, domain.All)
		require.NoError(t, err)
		assert.Equal(t, "qualified", peopleOf(now)[dir.ID].QualificationAtIncident, "retrained today")
		then, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseA}, beforeRetraining, domain.All)
		require.NoError(t, err)
		assert.Equal(t, "lapsed", peopleOf(then)[dir.ID].QualificationAtIncident, "before the retraining was recorded")
	})
}

// TestReportReads: the report lists the access log's reads of the child's
// file and of the cases it covers, from the child's registration to the
// as-of moment — not another child's, not another case's in a case's
// report, not one after the as-of moment.
func TestReportReads(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c, back := shiftedCounty(t, b)
		back.Store(int64(10 * 24 * time.Hour))
		child := c.RegisterChild(t)
		otherChild := c.RegisterChild(t)
		back.Store(0)
		caseA := receiveReport(t, c, child, time.Now().Add(-6*24*time.Hour))
		caseB := receiveReport(t, c, child, time.Now().Add(-6*24*time.Hour))
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{})
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		log := accesslog.New(b.DB, accesslog.Options{Synchronous: true})
		read := func(subject, action, childID, caseID string, at time.Time) {
			log.Record(accesslog.Entry{Subject: subject, Role: "caseworker", ActorJurisdiction: "370902", ChildID: childID, CaseID: caseID,
				Jurisdiction: "370902101201", Action: action, At: at})
		}
		now := time.Now()
		read("cw-early", accesslog.ActionReadChildFile, child, "", now.Add(-20*24*time.Hour)) // before the registration
		read(c.WorkerID, accesslog.ActionReadChildFile, child, "", now.Add(-5*24*time.Hour))
		read("cw-a", accesslog.ActionReadCase, child, caseA, now.Add(-4*24*time.Hour))
		read("cw-b", accesslog.ActionReadCaseTimeline, child, caseB, now.Add(-3*24*time.Hour))
		read("cw-other", accesslog.ActionReadChildFile, otherChild, "", now.Add(-2*24*time.Hour))
		pause()
		before := time.Now()
		pause()
		read("insp-late", accesslog.ActionReadReport, child, "", time.Now())
		rec := record.New(b.Store)

		subjects := func(r *report.Report) []string {
			var out []string
			for _, x := range r.Reads {
				out = append(out, x.Subject)
			}
			return out
		}
		r, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{ChildID: child}, time.Time{}, domain.All)
		require.NoError(t, err)
		assert.Equal(t, []string{c.WorkerID, "cw-a", "cw-b", "insp-late"}, subjects(r), "oldest first, from the registration on")
		assert.WithinDuration(t, now.Add(-10*24*time.Hour), r.ReadsFrom, time.Minute, "the period begins with the registration")
		require.NotEmpty(t, r.Reads)
		assert.Equal(t, report.Read{Subject: "cw-a", Role: "caseworker", At: r.Reads[1].At, Action: accesslog.ActionReadCase, CaseID: caseA}, r.Reads[1])
		assert.WithinDuration(t, now.Add(-4*24*time.Hour), r.Reads[1].At, time.Millisecond)
		assert.Equal(t, "王芳", r.Workers[c.WorkerID].Name, "a registered reader is named")

		then, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{ChildID: child}, before, domain.All)
		require.NoError(t, err)
		assert.Equal(t, []string{c.WorkerID, "cw-a", "cw-b"}, subjects(then), "the read after the as-of moment is left out")

		ofCase, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseA}, time.Time{}, domain.All)
		require.NoError(t, err)
		assert.Equal(t, []string{c.WorkerID, "cw-a", "insp-late"}, subjects(ofCase), "the child's file and this case, not the child's other case")
	})
}

// TestReportCorrections: the report lists the corrections of the child's
// and the cases' entries recorded by the as-of moment, with the entry
// corrected and how long it stood, and each field corrected with the value
// the entry holds (the original stays) and the corrected one, in its list
// and in its timeline — never the reason, which the timeline does not show
// either.
func TestReportCorrections(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c, child := caseworkerAndChild(t, b)
		h, cw := c.Handlers, c.Caseworker
		caseA := receiveReport(t, c, child, time.Now().Add(-2*time.Hour).Truncate(time.Second))
		stored, err := b.Store.ReadStream(ctx, domain.CaseStream(caseA).String(), 0, 0)
		require.NoError(t, err)
		received := stored[0]
		registration, err := b.Store.ReadStream(ctx, domain.ChildStream(child).String(), 0, 0)
		require.NoError(t, err)
		pause()
		first, err := h.CorrectCaseEntry(ctx, cw, commands.CorrectCaseEntry{CaseID: caseA, Position: received.GlobalPosition,
			Fields: map[string]json.RawMessage{"summary": json.RawMessage(`"邻居李四来电：孩子独自在家三天"`), "risk": json.RawMessage(`"medium"`)},
			Reason: "张三电话13800000000核实后更正"})
		require.NoError(t, err)
		pause()
		before := time.Now()
		pause()
		second, err := h.CorrectChildEntry(ctx, cw, commands.CorrectChildEntry{ChildID: child, Position: registration[0].GlobalPosition,
			Fields: map[string]json.RawMessage{"schooling": json.RawMessage(`"镇中心小学三年级"`)}, Reason: "学校登记有误"})
		require.NoError(t, err)
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{})
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		rec := record.New(b.Store)

		r, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{ChildID: child}, time.Time{}, domain.All)
		require.NoError(t, err)
		require.Len(t, r.Corrections, 2)
		got := r.Corrections[0]
		assert.Equal(t, first.LastPosition(), got.Position)
		assert.Equal(t, domain.CaseStream(caseA).String(), got.StreamID)
		assert.Equal(t, caseA, got.CaseID)
		assert.Equal(t, received.GlobalPosition, got.CorrectsPosition)
		assert.Equal(t, (domain.ReportReceived{}).EventType(), got.CorrectedType)
		assert.Equal(t, []string{"risk", "summary"}, got.Fields)
		assert.Equal(t, c.WorkerID, got.By.Subject)
		require.NotNil(t, got.CorrectedRecordedAt)
		assert.True(t, received.RecordedAt.Equal(*got.CorrectedRecordedAt))
		require.NotNil(t, got.CorrectedOccurredAt)
		assert.True(t, received.OccurredAt.Equal(*got.CorrectedOccurredAt))
		assert.InDelta(t, got.RecordedAt.Sub(received.RecordedAt).Hours(), got.DelayHours, 1.0/60)
		assert.Contains(t, got.Summary, domain.ZhEventType(got.CorrectedType))
		assert.Equal(t, second.LastPosition(), r.Corrections[1].Position)
		assert.Empty(t, r.Corrections[1].CaseID, "a correction of the child's file")
		assert.Equal(t, []string{"schooling"}, r.Corrections[1].Fields)

		require.Len(t, got.Changes, 2)
		assert.Equal(t, "risk", got.Changes[0].Field)
		assert.JSONEq(t, `"high"`, string(got.Changes[0].Original), "the original stays")
		assert.JSONEq(t, `"medium"`, string(got.Changes[0].Corrected))
		assert.Equal(t, "summary", got.Changes[1].Field)
		assert.JSONEq(t, `"独自在家"`, string(got.Changes[1].Original))
		assert.JSONEq(t, `"邻居李四来电：孩子独自在家三天"`, string(got.Changes[1].Corrected))
		assert.False(t, got.Erased)
		require.Len(t, r.Corrections[1].Changes, 1)
		assert.JSONEq(t, `"镇中心小学三年级"`, string(r.Corrections[1].Changes[0].Corrected))
		// The timeline's entry of the correction says the same, with the delay.
		var entry *timeline.Item
		for i := range r.Timeline {
			if r.Timeline[i].GlobalPosition == first.LastPosition() {
				entry = &r.Timeline[i]
			}
		}
		require.NotNil(t, entry)
		require.NotNil(t, entry.Correction)
		assert.Equal(t, got.Changes, entry.Correction.Changes)
		require.NotNil(t, entry.Correction.DelayHours)
		assert.InDelta(t, got.DelayHours, *entry.Correction.DelayHours, 1e-9)
		assert.Contains(t, entry.Summary, "风险等级由「高」改为「中」")
		assert.Contains(t, entry.Summary, "由「独自在家」改为「邻居李四来电：孩子独自在家三天」")
		assert.Contains(t, entry.Summary, "小时后更正")
		var registered *timeline.Item
		for i := range r.Timeline {
			if r.Timeline[i].GlobalPosition == registration[0].GlobalPosition {
				registered = &r.Timeline[i]
			}
		}
		require.NotNil(t, registered, "the entry corrected stays in the timeline")

		raw, err := json.Marshal(r)
		require.NoError(t, err)
		for _, sealed := range []string{"13800000000", "核实后更正", "学校登记有误"} {
			assert.NotContains(t, string(raw), sealed, "a correction's reason stays out")
		}

		then, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{ChildID: child}, before, domain.All)
		require.NoError(t, err)
		require.Len(t, then.Corrections, 1, "the second correction was recorded after the as-of moment")
		assert.Equal(t, first.LastPosition(), then.Corrections[0].Position)
	})
}

// appendToInquiry decides on the inquiry as its stream stands and appends
// what was decided, as the inquiry's routes will.
func appendToInquiry(t *testing.T, store eventstore.Store, inquiryID string, decide func(q *domain.Inquiry) error) {
	t.Helper()
	ctx := context.Background()
	codec := eventlog.New()
	id := domain.InquiryStream(inquiryID)
	history, err := codec.ReadStream(ctx, store, id)
	require.NoError(t, err)
	q := domain.LoadInquiry(history)
	require.NoError(t, decide(q))
	events, err := codec.Encode(q.Changes(), eventlog.Envelope{})
	require.NoError(t, err)
	_, err = store.Append(ctx, eventlog.StreamRef(id), eventstore.Exactly(q.Version()), events...)
	require.NoError(t, err)
}

// TestReportInquiryOutcome: once recorded, the report carries the
// inquiry's findings with who was responsible for what (by name), every
// rectification item with its status by the inquiry's clock at the as-of
// moment, and the closing; as the record stood before, it carries none.
func TestReportInquiryOutcome(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		c, back := shiftedCounty(t, b)
		h := c.Handlers
		child := c.RegisterChild(t)
		day := 24 * time.Hour
		caseA := receiveReport(t, c, child, time.Now().Add(-12*day))
		back.Store(int64(10 * day))
		inq, err := h.OpenInquiry(ctx, commands.Call{Principal: inspector}, commands.OpenInquiry{CaseID: caseA, IncidentAt: time.Now().Add(-11 * day), Reason: "儿童独居未报警"})
		require.NoError(t, err)
		back.Store(0)
		enginetest.CatchUp(t, b, caseview.Projection{}, register.Projection{})
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		rec := record.New(b.Store)

		pause()
		beforeFindings := time.Now()
		pause()
		now := time.Now().Truncate(time.Second)
		registered := func(id string) bool { return id == c.WorkerID }
		appendToInquiry(t, b.Store, inq.ID, func(q *domain.Inquiry) error {
			return q.RecordFindings(inspector, now, now.Add(-5*day), enginetest.Jur(t, "370902101201"), domain.FindingsInput{
				Findings:         "接报后未在一小时内报告公安机关。",
				Responsibilities: []domain.Responsibility{{WorkerID: c.WorkerID, Finding: "未及时报告公安"}},
				Rectifications: []domain.Rectification{
					{ID: "r1", Description: "组织强制报告培训", Owner: c.WorkerID, DueOn: dateOf(now.Add(10 * day))},
					{ID: "r2", Description: "补齐接报登记", Owner: c.WorkerID, DueOn: dateOf(now.Add(-3 * day))},
					{ID: "r3", Description: "建立值班制度", Owner: c.WorkerID, DueOn: dateOf(now.Add(10 * day))},
					{ID: "r4", Description: "回访儿童", Owner: c.WorkerID, DueOn: dateOf(now.Add(-4 * day))},
				},
			}, registered)
		})
		appendToInquiry(t, b.Store, inq.ID, func(q *domain.Inquiry) error {
			if err := q.CompleteRectification(inspector, now, now.Add(-4*day), "r1", "已培训"); err != nil {
				return err
			}
			return q.CompleteRectification(inspector, now, now.Add(-1*day), "r4", "已回访")
		})
		pause()
		beforeClosing := time.Now()
		pause()

		none, err := report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, beforeFindings, domain.All)
		require.NoError(t, err)
		assert.Nil(t, none.Findings, "the findings were recorded after the as-of moment")
		assert.Nil(t, none.Rectifications)
		assert.Nil(t, none.Closed)
		raw, err := json.Marshal(none)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), `"findings"`)
		assert.NotContains(t, string(raw), `"rectifications"`)
		assert.NotContains(t, string(raw), `"closed"`)

		found, err := report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, beforeClosing, domain.All)
		require.NoError(t, err)
		require.NotNil(t, found.Findings)
		assert.Equal(t, text("接报后未在一小时内报告公安机关。"), found.Findings.Findings)
		assert.True(t, now.Add(-5*day).Equal(found.Findings.OccurredAt))
		assert.Equal(t, "insp", found.Findings.RecordedBy.Subject)
		assert.Equal(t, []report.Responsibility{{WorkerID: c.WorkerID, Name: "王芳", Finding: text("未及时报告公安")}}, found.Findings.Responsibilities)
		status := map[string]string{}
		for _, item := range found.Rectifications {
			status[item.ID] = item.Status
			assert.Equal(t, "王芳", item.OwnerName)
			assert.NotEmpty(t, item.Description)
		}
		assert.Equal(t, map[string]string{"r1": "met", "r2": "missed", "r3": "open", "r4": "met_late"}, status)
		require.Len(t, found.Rectifications, 4)
		assert.Equal(t, dateOf(now.Add(-3*day)), found.Rectifications[1].DueOn)
		require.NotNil(t, found.Rectifications[0].CompletedAt)
		assert.True(t, now.Add(-4*day).Equal(*found.Rectifications[0].CompletedAt))
		assert.Nil(t, found.Rectifications[1].CompletedAt)
		assert.Nil(t, found.Closed, "not closed yet")
		assert.Contains(t, peopleOf(found)[c.WorkerID].Involvement, report.InvolvedResponsible)
		assert.Contains(t, peopleOf(found)[c.WorkerID].Involvement, report.InvolvedRectificationOwner)

		// The last items are done, and the inquiry is closed.
		appendToInquiry(t, b.Store, inq.ID, func(q *domain.Inquiry) error {
			for _, id := range []string{"r2", "r3"} {
				if err := q.CompleteRectification(inspector, time.Now(), time.Now(), id, "已完成"); err != nil {
					return err
				}
			}
			return q.Close(inspector, time.Now(), time.Now(), "整改到位，结案。")
		})
		closed, err := report.BuildInquiryReport(ctx, rec, b.DB, b.DB, inq.ID, time.Time{}, domain.All)
		require.NoError(t, err)
		require.NotNil(t, closed.Closed)
		assert.Equal(t, text("整改到位，结案。"), closed.Closed.Conclusion)
		assert.Equal(t, "insp", closed.Closed.By.Subject)
		status = map[string]string{}
		for _, item := range closed.Rectifications {
			status[item.ID] = item.Status
		}
		assert.Equal(t, map[string]string{"r1": "met", "r2": "met_late", "r3": "met", "r4": "met_late"}, status)

		// A trace report of the same case has no inquiry's outcome.
		trace, err := report.BuildTraceReport(ctx, rec, b.DB, b.DB, report.Subject{CaseID: caseA}, time.Time{}, domain.All)
		require.NoError(t, err)
		assert.Nil(t, trace.Findings)
		assert.Nil(t, trace.Closed)
	})
}

// text is a text of the report as it shows one that is not erased.
func text(s string) *string { return &s }
