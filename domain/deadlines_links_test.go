package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The clocks that another stream discharges: report_after_visit (a child's
// visit, met by a case), police_acknowledgment (a forward, met by the
// police), inquiry (a major incident, met by an inquiry stream) and
// rectification (an inquiry's items).

var dlInspector = Actor{Subject: "insp-1", Role: RoleInspector, Jurisdiction: Jurisdiction{code: "370902"}}

// dlInquiry is inquiry q into case caseID (or, if childID is set, the
// child) opened at opened.
func dlInquiry(q, caseID, childID string, opened time.Time) *dlStream {
	return dlNew(InquiryStream(q)).by(dlInspector, opened, opened, InquiryOpened{InquiryID: q, CaseID: caseID, ChildID: childID,
		IncidentAt: dlT0, Reason: "r"})
}

// dlCaseOf is a case of child k1 received at at, with a living-alone concern.
func dlCaseOf(id string, at time.Time) *dlStream {
	return dlNew(CaseStream(id)).by(dlReceiver, at, at, ReportReceived{CaseID: id, ChildID: "k1", Jurisdiction: dlVillage,
		Source: term[sourceWords]("visit"), Reporter: Reporter{Type: term[reporterWords]("child_director")},
		Concerns: []Concern{term[concernWords]("living_alone")}, Risk: RiskHigh, Summary: "s"})
}

func TestChildDeadlines_ReportAfterVisit(t *testing.T) {
	t.Parallel()
	visitAt := dlAt(10 * dlDay)
	given := func() *dlStream {
		return dlChild(dlT0, dlCats("left_behind"), nil).by(dlReceiver, visitAt, visitAt, dlConcernVisit())
	}
	for _, tc := range []struct {
		name   string
		cases  []*dlStream
		now    time.Time
		status DeadlineStatus
		met    *time.Time
	}{
		{"no case yet, within the hour", nil, visitAt.Add(30 * time.Minute), DeadlineOpen, nil},
		{"no case, the hour passed", nil, visitAt.Add(61 * time.Minute), DeadlineMissed, nil},
		{"reported within the hour", []*dlStream{dlCaseOf("c1", visitAt.Add(20*time.Minute))}, visitAt.Add(dlDay), DeadlineMet, dlPtr(visitAt.Add(20 * time.Minute))},
		{"reported after two hours", []*dlStream{dlCaseOf("c1", visitAt.Add(2*time.Hour))}, visitAt.Add(dlDay), DeadlineMetLate, dlPtr(visitAt.Add(2 * time.Hour))},
		{"an earlier closed case does not meet it", []*dlStream{dlCaseOf("c0", dlAt(dlDay)).at(dlAt(2*dlDay), CaseClosed{Reason: cfResolved})},
			visitAt.Add(2 * time.Hour), DeadlineMissed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cases []CaseFacts
			for _, c := range tc.cases {
				cases = append(cases, FoldCase(c.all()))
			}
			ds := ChildDeadlines(FoldChild(given().all()), cases, PolicyHistory{}, tc.now)
			d := dlOne(t, ds, KindReportAfterVisit)
			dlMet(t, d, tc.status, tc.met)
			dlSame(t, visitAt, d.StartedAt, "started")
			dlSame(t, visitAt.Add(time.Hour), d.DueAt, "due")
			assert.Equal(t, "dir-1", d.Owner, "the visitor owns it")
			assert.Equal(t, "k1", d.SubjectID)
		})
	}
	t.Run("a case open at the visit: no obligation", func(t *testing.T) {
		t.Parallel()
		open := FoldCase(dlCaseOf("c1", dlAt(dlDay)).all())
		ds := ChildDeadlines(FoldChild(given().all()), []CaseFacts{open}, PolicyHistory{}, visitAt.Add(dlDay))
		assert.Empty(t, dlOf(ds, KindReportAfterVisit))
	})
	t.Run("a case closed and reopened before the visit is open", func(t *testing.T) {
		t.Parallel()
		c := FoldCase(dlCaseOf("c1", dlAt(dlDay)).at(dlAt(2*dlDay), CaseClosed{Reason: cfResolved}).
			at(dlAt(3*dlDay), CaseReopened{Reason: "r"}).all())
		ds := ChildDeadlines(FoldChild(given().all()), []CaseFacts{c}, PolicyHistory{}, visitAt.Add(dlDay))
		assert.Empty(t, dlOf(ds, KindReportAfterVisit))
	})
	t.Run("another child's case does not count", func(t *testing.T) {
		t.Parallel()
		other := FoldCase(dlCaseOf("c1", visitAt.Add(time.Minute)).all())
		other.ChildID = "k2"
		ds := ChildDeadlines(FoldChild(given().all()), []CaseFacts{other}, PolicyHistory{}, visitAt.Add(dlDay))
		dlMet(t, dlOne(t, ds, KindReportAfterVisit), DeadlineMissed, nil)
	})
	t.Run("a visit without a mandatory concern obliges nothing", func(t *testing.T) {
		t.Parallel()
		f := FoldChild(dlChild(dlT0, dlCats("left_behind"), nil).at(visitAt, VisitRecorded{Findings: "f",
			Concerns: []Concern{term[concernWords]("dropout")}}).all())
		assert.Empty(t, dlOf(ChildDeadlines(f, nil, PolicyHistory{}, visitAt.Add(dlDay)), KindReportAfterVisit))
	})
	t.Run("the policy in force at the visit sets the time", func(t *testing.T) {
		t.Parallel()
		p := DefaultPolicy()
		p.ReportAfterVisit = Hours(2)
		ds := ChildDeadlines(FoldChild(given().all()), nil, dlPolicies(dlChange{dlAt(dlDay), p}), visitAt.Add(90*time.Minute))
		d := dlOne(t, ds, KindReportAfterVisit)
		dlSame(t, visitAt.Add(2*time.Hour), d.DueAt, "due")
		assert.Equal(t, DeadlineOpen, d.Status)
		assert.Equal(t, int64(1), d.PolicyVersion)
	})
	t.Run("an erasure ends it", func(t *testing.T) {
		t.Parallel()
		f := FoldChild(given().at(visitAt.Add(10*time.Minute), ChildDataErased{Reason: "r"}).all())
		assert.Empty(t, dlOf(ChildDeadlines(f, nil, PolicyHistory{}, visitAt.Add(dlDay)), KindReportAfterVisit))
	})
}

func TestCaseDeadlines_PoliceAcknowledgment(t *testing.T) {
	t.Parallel()
	forwarded := dlAt(30 * time.Minute)
	for _, tc := range []struct {
		name   string
		acks   []time.Time
		now    time.Time
		status DeadlineStatus
		met    *time.Time
	}{
		{"acknowledged within the hour", []time.Time{forwarded.Add(40 * time.Minute)}, dlAt(dlDay), DeadlineMet, dlPtr(forwarded.Add(40 * time.Minute))},
		{"acknowledged late", []time.Time{forwarded.Add(3 * time.Hour), forwarded.Add(4 * time.Hour)}, dlAt(dlDay), DeadlineMetLate, dlPtr(forwarded.Add(3 * time.Hour))},
		{"not acknowledged, within the hour", nil, forwarded.Add(59 * time.Minute), DeadlineOpen, nil},
		{"not acknowledged, the hour passed", nil, forwarded.Add(61 * time.Minute), DeadlineMissed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := dlCase(RiskHigh, "living_alone").at(forwarded, ReportForwardedToPolice{PoliceUnit: "派出所"})
			for _, a := range tc.acks {
				s.at(a, PoliceAcknowledged{Action: "出警"})
			}
			d := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, tc.now), KindPoliceAcknowledgment)
			dlMet(t, d, tc.status, tc.met)
			dlSame(t, forwarded, d.StartedAt, "started")
			dlSame(t, forwarded.Add(time.Hour), d.DueAt, "due")
			assert.Equal(t, "agency:police", d.Owner)
		})
	}
	t.Run("never forwarded: no clock", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, dlOf(CaseDeadlines(FoldCase(dlCase(RiskHigh, "living_alone").all()), nil, PolicyHistory{}, dlAt(dlDay)), KindPoliceAcknowledgment))
	})
}

func TestCaseDeadlines_Inquiry(t *testing.T) {
	t.Parallel()
	declared := dlAt(2 * dlDay)
	kase := func() *dlStream {
		return dlCase(RiskHigh, "abuse").at(declared, MajorIncidentDeclared{Description: "d"})
	}
	for _, tc := range []struct {
		name      string
		inquiries []*dlStream
		now       time.Time
		status    DeadlineStatus
		met       *time.Time
	}{
		{"none yet, within 7 days", nil, declared.Add(6 * dlDay), DeadlineOpen, nil},
		{"none after 7 days", nil, declared.Add(7*dlDay + time.Second), DeadlineMissed, nil},
		{"one into the case on the third day", []*dlStream{dlInquiry("q1", "c1", "", declared.Add(3*dlDay))}, declared.Add(30 * dlDay), DeadlineMet, dlPtr(declared.Add(3 * dlDay))},
		{"one into the child on the ninth day", []*dlStream{dlInquiry("q1", "", "k1", declared.Add(9*dlDay))}, declared.Add(30 * dlDay), DeadlineMetLate, dlPtr(declared.Add(9 * dlDay))},
		{"one into another case does not count", []*dlStream{dlInquiry("q1", "c9", "", declared.Add(dlDay))}, declared.Add(30 * dlDay), DeadlineMissed, nil},
		{"one already open at the declaration meets it then", []*dlStream{dlInquiry("q1", "", "k1", dlAt(dlDay))}, declared.Add(30 * dlDay), DeadlineMet, dlPtr(declared)},
		{"one closed before the declaration does not", []*dlStream{dlInquiry("q1", "c1", "", dlAt(dlDay)).at(dlAt(dlDay+time.Hour), InquiryClosed{Conclusion: "c"})},
			declared.Add(30 * dlDay), DeadlineMissed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var qs []InquiryFacts
			for _, q := range tc.inquiries {
				qs = append(qs, FoldInquiry(q.all()))
			}
			d := dlOne(t, CaseDeadlines(FoldCase(kase().all()), qs, PolicyHistory{}, tc.now), KindInquiry)
			dlMet(t, d, tc.status, tc.met)
			dlSame(t, declared, d.StartedAt, "started")
			dlSame(t, declared.Add(7*dlDay), d.DueAt, "due")
			assert.Equal(t, "inspector:370902", d.Owner, "the inspectors of the case's county")
		})
	}
	t.Run("a closure does not discharge it", func(t *testing.T) {
		t.Parallel()
		f := FoldCase(kase().at(declared.Add(time.Hour), CaseClosed{Reason: cfResolved}).all())
		d := dlOne(t, CaseDeadlines(f, nil, PolicyHistory{}, declared.Add(8*dlDay)), KindInquiry)
		assert.Equal(t, DeadlineMissed, d.Status)
	})
	t.Run("two incidents, two clocks", func(t *testing.T) {
		t.Parallel()
		f := FoldCase(kase().at(declared.Add(20*dlDay), MajorIncidentDeclared{Description: "again"}).all())
		qs := []InquiryFacts{FoldInquiry(dlInquiry("q1", "c1", "", declared.Add(dlDay)).at(declared.Add(5*dlDay), InquiryClosed{Conclusion: "c"}).all())}
		ds := dlOf(CaseDeadlines(f, qs, PolicyHistory{}, declared.Add(40*dlDay)), KindInquiry)
		require.Len(t, ds, 2)
		assert.Equal(t, DeadlineMet, ds[0].Status)
		assert.Equal(t, DeadlineMissed, ds[1].Status, "the first inquiry was closed before the second incident")
	})
}

func TestInquiryDeadlines_Rectification(t *testing.T) {
	t.Parallel()
	h := iqHistory() // findings at day 2: r1 due 2024-05-01 done day 3, r2 due 2024-06-01 done day 4
	t.Run("items met, owned by their owners, due at the end of the day", func(t *testing.T) {
		t.Parallel()
		ds := InquiryDeadlines(FoldInquiry(h), PolicyHistory{}, dlAt(10*dlDay))
		require.Len(t, ds, 2)
		assert.Equal(t, []string{"r1", "r2"}, []string{ds[0].RectificationID, ds[1].RectificationID})
		assert.Equal(t, []string{"w-1", "w-2"}, []string{ds[0].Owner, ds[1].Owner})
		for _, d := range ds {
			assert.Equal(t, KindRectification, d.Kind)
			assert.Equal(t, "q1", d.InquiryID)
			assert.Equal(t, "q1", d.SubjectID)
			assert.Equal(t, "c1", d.CaseID)
			dlSame(t, dlAt(2*dlDay), d.StartedAt, "started at the findings")
		}
		// dlT0 is 2025: the items' 2024 dates lie before the findings, so
		// completion is late.
		assert.Equal(t, DeadlineMetLate, ds[0].Status)
		dlSame(t, time.Date(2024, time.May, 2, 0, 0, 0, 0, ChinaStandardTime), ds[0].DueAt, "due")
	})
	t.Run("an open item, then missed", func(t *testing.T) {
		t.Parallel()
		due := dlAt(30 * dlDay).In(ChinaStandardTime)
		on := NewDate(due.Year(), due.Month(), due.Day())
		f := FoldInquiry(dlInquiry("q1", "c1", "", dlT0).at(dlAt(dlDay), InquiryFindingsRecorded{Findings: "f",
			Rectifications: []Rectification{{ID: "r1", Description: "d", Owner: "w-1", DueOn: on}}}).all())
		end := on.Start().AddDate(0, 0, 1)
		assert.Equal(t, DeadlineOpen, dlOne(t, InquiryDeadlines(f, PolicyHistory{}, end.Add(-time.Second)), KindRectification).Status)
		assert.Equal(t, DeadlineMissed, dlOne(t, InquiryDeadlines(f, PolicyHistory{}, end.Add(time.Second)), KindRectification).Status)
	})
	t.Run("no findings, no items", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, InquiryDeadlines(FoldInquiry(h[:1]), PolicyHistory{}, dlAt(dlDay)))
	})
}
