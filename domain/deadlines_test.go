package domain

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A tiny builder of Recorded values for the deadline tests.

const dlDay = 24 * time.Hour

// dlT0 is when the test case's report is received.
var dlT0 = time.Date(2025, time.March, 3, 9, 0, 0, 0, ChinaStandardTime)

func dlAt(d time.Duration) time.Time { return dlT0.Add(d) }

var (
	dlVillage  = Jurisdiction{code: "370902101201"}
	dlReceiver = Actor{Subject: "dir-1", Role: RoleChildDirector, Jurisdiction: dlVillage}
	dlWorker   = Actor{Subject: "cw-1", Role: RoleCaseworker, Jurisdiction: Jurisdiction{code: "370902"}}
)

type dlStream struct {
	id   StreamID
	recs []Recorded
}

func dlNew(id StreamID) *dlStream { return &dlStream{id: id} }

// at appends e, occurred and recorded at t, by a caseworker.
func (s *dlStream) at(t time.Time, e Event) *dlStream { return s.by(dlWorker, t, t, e) }

// late appends e, occurred at occurred and recorded at recorded.
func (s *dlStream) late(occurred, recorded time.Time, e Event) *dlStream {
	return s.by(dlWorker, occurred, recorded, e)
}

func (s *dlStream) by(a Actor, occurred, recorded time.Time, e Event) *dlStream {
	n := int64(len(s.recs) + 1)
	s.recs = append(s.recs, Recorded{ID: uuid.New(), StreamID: s.id, Version: n, Position: n, Event: e,
		Actor: a, OccurredAt: occurred, RecordedAt: recorded})
	return s
}

func (s *dlStream) all() []Recorded { return s.recs }

// asOf is the prefix of the stream recorded at or before t.
func (s *dlStream) asOf(t time.Time) []Recorded {
	for i, r := range s.recs {
		if r.RecordedAt.After(t) {
			return s.recs[:i]
		}
	}
	return s.recs
}

func dlCase(risk Risk, concerns ...string) *dlStream {
	cs := make([]Concern, len(concerns))
	for i, c := range concerns {
		cs[i] = term[concernWords](c)
	}
	return dlNew(CaseStream("c1")).by(dlReceiver, dlT0, dlT0, ReportReceived{CaseID: "c1", ChildID: "k1",
		Jurisdiction: dlVillage, Source: term[sourceWords]("visit"), Reporter: Reporter{Type: term[reporterWords]("child_director")},
		Concerns: cs, Risk: risk, Summary: "s"})
}

type dlChange struct {
	at time.Time
	p  DeadlinePolicy
}

func dlPolicies(changes ...dlChange) PolicyHistory {
	s := dlNew(PolicyStream)
	for _, c := range changes {
		s.at(c.at, DeadlinePolicyChanged{Policy: c.p})
	}
	return LoadPolicyHistory(s.all())
}

func dlOf(ds []Deadline, kind DeadlineKind) []Deadline {
	var out []Deadline
	for _, d := range ds {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

// dlOne is the only deadline of kind.
func dlOne(t *testing.T, ds []Deadline, kind DeadlineKind) Deadline {
	t.Helper()
	got := dlOf(ds, kind)
	require.Len(t, got, 1, "deadlines of kind %s in %s", kind, dlShow(ds))
	return got[0]
}

func dlShow(ds []Deadline) string {
	s := ""
	for _, d := range ds {
		s += fmt.Sprintf("\n  %s %s start=%s due=%s status=%s owner=%s", d.Kind, d.ReferralID,
			d.StartedAt.Format(time.RFC3339), d.DueAt.Format(time.RFC3339), d.Status, d.Owner)
	}
	return s
}

func dlSame(t *testing.T, want, got time.Time, what string) {
	t.Helper()
	assert.True(t, want.Equal(got), "%s: want %s, got %s", what, want.Format(time.RFC3339), got.Format(time.RFC3339))
}

// dlMet checks status and MetAt (nil want: not met).
func dlMet(t *testing.T, d Deadline, status DeadlineStatus, want *time.Time) {
	t.Helper()
	assert.Equal(t, status, d.Status, "status of %s", d.Kind)
	if want == nil {
		assert.Nil(t, d.MetAt, "met_at of %s", d.Kind)
		return
	}
	if assert.NotNil(t, d.MetAt, "met_at of %s", d.Kind) {
		dlSame(t, *want, *d.MetAt, "met_at of "+d.Kind.String())
	}
}

func dlPtr(t time.Time) *time.Time { return &t }

func TestDeadlineVocabularies(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"police_report", "first_response", "assignment", "assessment", "guardianship_assessment",
		"referral_answer", "visit", "info_verification", "training", "post_closure_follow_up",
		"report_after_visit", "police_acknowledgment", "inquiry", "rectification"}, Words[DeadlineKind]())
	k, err := ParseDeadlineKind("referral_answer")
	require.NoError(t, err)
	assert.Equal(t, KindReferralAnswer, k)
	s, err := ParseDeadlineStatus("met_late")
	require.NoError(t, err)
	assert.Equal(t, DeadlineMetLate, s)
	_, err = ParseDeadlineStatus("late")
	assert.ErrorIs(t, err, ErrInvalid)
}

func TestCaseDeadlines_PoliceReport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		forwarded *time.Time
		now       time.Time
		status    DeadlineStatus
	}{
		{"forwarded within the hour", dlPtr(dlAt(30 * time.Minute)), dlAt(dlDay), DeadlineMet},
		{"forwarded exactly at the hour", dlPtr(dlAt(time.Hour)), dlAt(dlDay), DeadlineMet},
		{"forwarded after two hours", dlPtr(dlAt(2 * time.Hour)), dlAt(dlDay), DeadlineMetLate},
		{"not forwarded, hour passed", nil, dlAt(time.Hour + time.Second), DeadlineMissed},
		{"not forwarded, within the hour", nil, dlAt(59 * time.Minute), DeadlineOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := dlCase(RiskLow, "dropout", "living_alone")
			if tc.forwarded != nil {
				s.at(*tc.forwarded, ReportForwardedToPolice{PoliceUnit: "派出所"})
				s.at(tc.forwarded.Add(time.Hour), ReportForwardedToPolice{PoliceUnit: "派出所"}) // a second one changes nothing
			}
			ds := CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, tc.now)
			d := dlOne(t, ds, KindPoliceReport)
			dlMet(t, d, tc.status, tc.forwarded)
			dlSame(t, dlT0, d.StartedAt, "started")
			dlSame(t, dlAt(time.Hour), d.DueAt, "due")
			assert.Equal(t, "dir-1", d.Owner, "the receiver owns it")
			assert.Equal(t, "c1", d.SubjectID)
			assert.Equal(t, "c1", d.CaseID)
			assert.Equal(t, int64(0), d.PolicyVersion)
		})
	}
	t.Run("received by the 12355 desk, the center owns it", func(t *testing.T) {
		t.Parallel()
		desk := Actor{Subject: "desk-1", Role: RolePartner, Jurisdiction: Jurisdiction{code: "370902"}}
		s := dlNew(CaseStream("c1")).by(desk, dlT0, dlT0, ReportReceived{CaseID: "c1", ChildID: "k1",
			Jurisdiction: dlVillage, Source: SourceHotline12355, Reporter: Reporter{Type: term[reporterWords]("neighbour")},
			Concerns: []Concern{term[concernWords]("living_alone")}, Risk: RiskHigh, Summary: "s"})
		d := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(time.Minute)), KindPoliceReport)
		assert.Equal(t, "caseworker:370902", d.Owner, "the desk may not forward a report: the center must")
		dlMet(t, d, DeadlineOpen, nil)
	})
	t.Run("no mandatory concern, no police report", func(t *testing.T) {
		t.Parallel()
		ds := CaseDeadlines(FoldCase(dlCase(RiskLow, "dropout", "illness").all()), nil, PolicyHistory{}, dlAt(dlDay))
		assert.Empty(t, dlOf(ds, KindPoliceReport))
		assert.Len(t, ds, 2, "first response and assignment")
	})
}

func TestCaseDeadlines_DueTimesDependOnRisk(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		risk                    Risk
		firstResponse, assigned time.Duration
	}{
		{RiskHigh, 24 * time.Hour, time.Hour},
		{RiskMedium, 72 * time.Hour, 24 * time.Hour},
		{RiskLow, 7 * dlDay, 24 * time.Hour},
	} {
		t.Run(tc.risk.String(), func(t *testing.T) {
			t.Parallel()
			ds := CaseDeadlines(FoldCase(dlCase(tc.risk, "neglect").all()), nil, PolicyHistory{}, dlT0)
			fr := dlOne(t, ds, KindFirstResponse)
			dlSame(t, dlAt(tc.firstResponse), fr.DueAt, "first response due")
			assert.Equal(t, DeadlineOpen, fr.Status)
			as := dlOne(t, ds, KindAssignment)
			dlSame(t, dlAt(tc.assigned), as.DueAt, "assignment due")
			assert.Equal(t, "caseworker:370902", as.Owner)
		})
	}
	t.Run("a later assessment's risk does not move the first response", func(t *testing.T) {
		t.Parallel()
		s := dlCase(RiskLow, "dropout").at(dlAt(time.Hour), CaseAssigned{WorkerID: "cw-1"}).
			at(dlAt(6*dlDay), AssessmentCompleted{Risk: RiskHigh})
		fr := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(10*dlDay)), KindFirstResponse)
		dlSame(t, dlAt(7*dlDay), fr.DueAt, "due by the risk at report time")
		dlMet(t, fr, DeadlineMet, dlPtr(dlAt(6*dlDay)))
	})
}

func TestCaseDeadlines_FirstResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		event  Event
		at     time.Duration
		now    time.Duration
		status DeadlineStatus
	}{
		{"emergency response in time", EmergencyResponseRecorded{Action: "placed with kin"}, 2 * time.Hour, 2 * dlDay, DeadlineMet},
		{"follow-up late", FollowUpRecorded{Note: "called"}, 30 * time.Hour, 2 * dlDay, DeadlineMetLate},
		{"assessment in time", AssessmentCompleted{Risk: RiskHigh}, 10 * time.Hour, 2 * dlDay, DeadlineMet},
		{"nothing, due passed", nil, 0, 25 * time.Hour, DeadlineMissed},
		{"nothing yet", nil, 0, time.Hour, DeadlineOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := dlCase(RiskHigh, "abuse")
			var met *time.Time
			if tc.event != nil {
				s.at(dlAt(tc.at), tc.event)
				met = dlPtr(dlAt(tc.at))
			}
			d := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(tc.now)), KindFirstResponse)
			dlMet(t, d, tc.status, met)
			assert.Equal(t, "caseworker:370902", d.Owner, "no one assigned: the receiving center")
		})
	}
}

func TestCaseDeadlines_Assignment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		risk     Risk
		assigned time.Duration // 0: not assigned
		now      time.Duration
		status   DeadlineStatus
	}{
		{"high risk, assigned in 30 minutes", RiskHigh, 30 * time.Minute, dlDay, DeadlineMet},
		{"high risk, assigned after 3 hours", RiskHigh, 3 * time.Hour, dlDay, DeadlineMetLate},
		{"high risk, unassigned after 2 hours", RiskHigh, 0, 2 * time.Hour, DeadlineMissed},
		{"medium risk, unassigned after 2 hours", RiskMedium, 0, 2 * time.Hour, DeadlineOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := dlCase(tc.risk, "neglect")
			var met *time.Time
			if tc.assigned != 0 {
				s.at(dlAt(tc.assigned), CaseAssigned{WorkerID: "cw-1"})
				s.at(dlAt(tc.assigned+time.Hour), CaseAssigned{WorkerID: "cw-2"})
				met = dlPtr(dlAt(tc.assigned))
			}
			d := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(tc.now)), KindAssignment)
			dlMet(t, d, tc.status, met)
			assert.Equal(t, "caseworker:370902", d.Owner, "the receiving center owns the assignment")
			assert.Equal(t, []OwnerSpan{{Owner: "caseworker:370902", From: dlT0}}, d.Owners)
		})
	}
}

func TestCaseDeadlines_Assessment(t *testing.T) {
	t.Parallel()
	assigned := dlAt(time.Hour)
	for _, tc := range []struct {
		name     string
		assessed []time.Duration
		now      time.Duration
		status   DeadlineStatus
		met      *time.Time
	}{
		{"assessed in 3 days", []time.Duration{3 * dlDay}, 10 * dlDay, DeadlineMet, dlPtr(dlAt(3 * dlDay))},
		{"assessed in 8 days", []time.Duration{8 * dlDay}, 10 * dlDay, DeadlineMetLate, dlPtr(dlAt(8 * dlDay))},
		{"not assessed in 9 days", nil, 9 * dlDay, DeadlineMissed, nil},
		{"not assessed yet", nil, 2 * dlDay, DeadlineOpen, nil},
		{"an assessment before the assignment does not count", []time.Duration{30 * time.Minute}, 2 * dlDay, DeadlineOpen, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := dlCase(RiskMedium, "neglect")
			for _, a := range tc.assessed {
				if dlAt(a).Before(assigned) {
					s.at(dlAt(a), AssessmentCompleted{Risk: RiskLow})
				}
			}
			s.at(assigned, CaseAssigned{WorkerID: "cw-1"})
			for _, a := range tc.assessed {
				if !dlAt(a).Before(assigned) {
					s.at(dlAt(a), AssessmentCompleted{Risk: RiskLow})
				}
			}
			d := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(tc.now)), KindAssessment)
			dlSame(t, assigned, d.StartedAt, "starts at assignment")
			dlSame(t, assigned.Add(7*dlDay), d.DueAt, "due")
			dlMet(t, d, tc.status, tc.met)
			assert.Equal(t, "cw-1", d.Owner)
		})
	}
	t.Run("no assignment, no assessment clock", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, dlOf(CaseDeadlines(FoldCase(dlCase(RiskLow, "neglect").all()), nil, PolicyHistory{}, dlAt(30*dlDay)), KindAssessment))
	})
}

func TestCaseDeadlines_GuardianshipAssessment(t *testing.T) {
	t.Parallel()
	tg := TemporaryGuardianshipStarted{Ground: term[groundWords]("guardian_missing"), Placement: term[placementWords]("center")}
	s := dlCase(RiskHigh, "missing").
		at(dlAt(time.Hour), CaseAssigned{WorkerID: "cw-1"}).
		at(dlAt(dlDay), tg).
		at(dlAt(2*dlDay), AssessmentCompleted{Risk: RiskHigh}). // no guardianship assessment: does not count
		at(dlAt(20*dlDay), AssessmentCompleted{Risk: RiskMedium, GuardianshipAssessment: "grandmother able"}).
		at(dlAt(25*dlDay), TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily}).
		at(dlAt(40*dlDay), tg).
		at(dlAt(75*dlDay), AssessmentCompleted{Risk: RiskMedium, GuardianshipAssessment: "late"}).
		at(dlAt(80*dlDay), tg)
	ds := dlOf(CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(100*dlDay)), KindGuardianshipAssessment)
	require.Len(t, ds, 3, "one per temporary guardianship")
	dlSame(t, dlAt(31*dlDay), ds[0].DueAt, "due 30 days after the start")
	dlMet(t, ds[0], DeadlineMet, dlPtr(dlAt(20*dlDay)))
	dlMet(t, ds[1], DeadlineMetLate, dlPtr(dlAt(75*dlDay)))
	dlMet(t, ds[2], DeadlineOpen, nil)
	for _, d := range ds {
		assert.Equal(t, "cw-1", d.Owner)
	}
	ds = dlOf(CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(111*dlDay)), KindGuardianshipAssessment)
	dlMet(t, ds[2], DeadlineMissed, nil)
}

func TestCaseDeadlines_ReferralAnswer(t *testing.T) {
	t.Parallel()
	education, justice, health := term[agencyWords]("education"), term[agencyWords]("justice"), term[agencyWords]("health")
	svc := term[serviceWords]("return_to_school")
	s := dlCase(RiskLow, "dropout").
		at(dlAt(time.Hour), CaseAssigned{WorkerID: "cw-1"}).
		at(dlAt(dlDay), ReferralMade{ReferralID: "r1", Agency: education, Service: svc}).
		at(dlAt(dlDay), ReferralMade{ReferralID: "r2", Agency: justice, Service: svc}).
		at(dlAt(dlDay), ReferralMade{ReferralID: "r3", Agency: health, Service: svc}).
		at(dlAt(dlDay), ReferralMade{ReferralID: "r5", Agency: education, Service: svc}).
		at(dlAt(3*dlDay), ReferralMade{ReferralID: "r4", Agency: health, Service: svc}).
		at(dlAt(3*dlDay), ReferralAccepted{ReferralID: "r1"}).
		at(dlAt(4*dlDay), ReferralCompleted{ReferralID: "r5"}).
		at(dlAt(4*dlDay), ReferralAccepted{ReferralID: "nope"}).
		at(dlAt(7*dlDay), ReferralDeclined{ReferralID: "r2", Reason: "not ours"})
	ds := dlOf(CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(7*dlDay)), KindReferralAnswer)
	require.Len(t, ds, 5)
	byID := map[string]Deadline{}
	for _, d := range ds {
		byID[d.ReferralID] = d
		assert.Equal(t, "c1", d.SubjectID)
		assert.Equal(t, "c1", d.CaseID)
	}
	dlMet(t, byID["r1"], DeadlineMet, dlPtr(dlAt(3*dlDay)))
	assert.Equal(t, "agency:education", byID["r1"].Owner)
	dlSame(t, dlAt(6*dlDay), byID["r1"].DueAt, "due 5 days after the referral")
	dlMet(t, byID["r2"], DeadlineMetLate, dlPtr(dlAt(7*dlDay)))
	assert.Equal(t, "agency:justice", byID["r2"].Owner)
	dlMet(t, byID["r3"], DeadlineMissed, nil)
	assert.Equal(t, "agency:health", byID["r3"].Owner)
	dlMet(t, byID["r4"], DeadlineOpen, nil)
	dlMet(t, byID["r5"], DeadlineMet, dlPtr(dlAt(4*dlDay)))
}

func TestCaseDeadlines_PostClosureFollowUp(t *testing.T) {
	t.Parallel()
	closed := dlAt(10 * dlDay)
	base := func(reason string) *dlStream {
		return dlCase(RiskLow, "neglect").
			at(dlAt(time.Hour), CaseAssigned{WorkerID: "cw-1"}).
			at(dlAt(2*dlDay), AssessmentCompleted{Risk: RiskLow}).
			at(dlAt(5*dlDay), FollowUpRecorded{Note: "before closure: does not count"}).
			at(closed, CaseClosed{Reason: term[closureReasonWords](reason)})
	}
	for _, tc := range []struct {
		name     string
		followUp time.Duration
		now      time.Duration
		status   DeadlineStatus
	}{
		{"followed up in 20 days", 20 * dlDay, 50 * dlDay, DeadlineMet},
		{"followed up after 35 days", 45 * dlDay, 50 * dlDay, DeadlineMetLate},
		{"not followed up in 31 days", 0, 41 * dlDay, DeadlineMissed},
		{"not followed up yet", 0, 30 * dlDay, DeadlineOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := base("returned_to_family")
			var met *time.Time
			if tc.followUp != 0 {
				s.at(dlAt(tc.followUp), FollowUpRecorded{Note: "home visit"})
				met = dlPtr(dlAt(tc.followUp))
			}
			d := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(tc.now)), KindPostClosureFollowUp)
			dlSame(t, closed, d.StartedAt, "starts at closure")
			dlSame(t, closed.Add(30*dlDay), d.DueAt, "due")
			dlMet(t, d, tc.status, met)
			assert.Equal(t, "cw-1", d.Owner, "the assignee at closure")
		})
	}
	t.Run("unassigned: the receiving center", func(t *testing.T) {
		t.Parallel()
		s := dlCase(RiskLow, "dropout").at(dlAt(dlDay), CaseClosed{Reason: ClosureReturnedToFamily})
		d := dlOne(t, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(2*dlDay)), KindPostClosureFollowUp)
		assert.Equal(t, "caseworker:370902", d.Owner)
	})
	t.Run("other closure reasons start no follow-up clock", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, dlOf(CaseDeadlines(FoldCase(base("resolved").all()), nil, PolicyHistory{}, dlAt(50*dlDay)), KindPostClosureFollowUp))
	})
}

func TestCaseDeadlines_ClosureDischarges(t *testing.T) {
	t.Parallel()
	closed := dlAt(3 * dlDay)
	s := dlCase(RiskHigh, "neglect").
		at(dlAt(30*time.Minute), CaseAssigned{WorkerID: "cw-1"}).
		at(closed, CaseClosed{Reason: term[closureReasonWords]("unfounded")}).
		at(dlAt(4*dlDay), FollowUpRecorded{Note: "after closure"}).
		at(dlAt(5*dlDay), CaseReopened{Reason: "new facts"}).
		at(dlAt(6*dlDay), CaseAssigned{WorkerID: "cw-2"}).
		at(dlAt(6*dlDay), ReferralMade{ReferralID: "r1", Agency: term[agencyWords]("justice"), Service: term[serviceWords]("legal_aid")})
	ds := CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(20*dlDay))

	police := dlOne(t, ds, KindPoliceReport)
	dlMet(t, police, DeadlineMissed, nil)
	fr := dlOne(t, ds, KindFirstResponse)
	dlMet(t, fr, DeadlineMissed, nil) // the follow-up after closure does not revive it
	assert.Equal(t, "cw-1", fr.Owner, "owner when it fell due")
	assert.Equal(t, []OwnerSpan{{"caseworker:370902", dlT0}, {"cw-1", dlAt(30 * time.Minute)}}, fr.Owners,
		"ownership ends at the closure that discharged it")
	dlMet(t, dlOne(t, ds, KindAssignment), DeadlineMet, dlPtr(dlAt(30*time.Minute)))
	assert.Empty(t, dlOf(ds, KindAssessment), "due after the closure: dropped, and reopening does not revive it")
	ref := dlOne(t, ds, KindReferralAnswer)
	dlMet(t, ref, DeadlineMissed, nil)
	assert.Len(t, ds, 4, dlShow(ds))

	// Before the closure the same case shows them open.
	before := CaseDeadlines(FoldCase(s.asOf(dlAt(2*dlDay))), nil, PolicyHistory{}, dlAt(2*dlDay))
	dlMet(t, dlOne(t, before, KindAssessment), DeadlineOpen, nil)
}

func TestCaseDeadlines_OwnershipHandover(t *testing.T) {
	t.Parallel()
	s := dlCase(RiskMedium, "neglect").
		at(dlAt(10*time.Hour), CaseAssigned{WorkerID: "cw-1"}).
		at(dlAt(2*dlDay), CaseAssigned{WorkerID: "cw-2"}).
		at(dlAt(60*time.Hour), FollowUpRecorded{Note: "met the child"}).
		at(dlAt(4*dlDay), CaseAssigned{WorkerID: "cw-3"})
	ds := CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(5*dlDay))

	fr := dlOne(t, ds, KindFirstResponse)
	dlMet(t, fr, DeadlineMet, dlPtr(dlAt(60*time.Hour)))
	assert.Equal(t, "cw-2", fr.Owner, "owner when it was met")
	assert.Equal(t, []OwnerSpan{
		{"caseworker:370902", dlT0}, {"cw-1", dlAt(10 * time.Hour)}, {"cw-2", dlAt(2 * dlDay)},
	}, fr.Owners, "no span after it was met")
	for _, tc := range []struct {
		at    time.Time
		owner string
	}{
		{dlT0.Add(-time.Minute), ""},
		{dlT0, "caseworker:370902"},
		{dlAt(5 * time.Hour), "caseworker:370902"},
		{dlAt(10*time.Hour - time.Nanosecond), "caseworker:370902"},
		{dlAt(10 * time.Hour), "cw-1"},
		{dlAt(dlDay), "cw-1"},
		{dlAt(2 * dlDay), "cw-2"},
		{dlAt(3 * dlDay), "cw-2"},
	} {
		assert.Equal(t, tc.owner, fr.OwnerAt(tc.at), "owner at %s", tc.at)
	}

	as := dlOne(t, ds, KindAssessment)
	assert.Equal(t, []OwnerSpan{{"cw-1", dlAt(10 * time.Hour)}, {"cw-2", dlAt(2 * dlDay)}, {"cw-3", dlAt(4 * dlDay)}}, as.Owners)
	assert.Equal(t, "cw-3", as.Owner, "open: the owner now")
	assert.Equal(t, "cw-2", as.OwnerAt(dlAt(3*dlDay)))

	// As of 5 hours after the report, nobody was assigned yet.
	early := CaseDeadlines(FoldCase(s.asOf(dlAt(5*time.Hour))), nil, PolicyHistory{}, dlAt(5*time.Hour))
	fr = dlOne(t, early, KindFirstResponse)
	dlMet(t, fr, DeadlineOpen, nil)
	assert.Equal(t, "caseworker:370902", fr.Owner)
	assert.Equal(t, []OwnerSpan{{"caseworker:370902", dlT0}}, fr.Owners)
	assert.Empty(t, dlOf(early, KindAssessment))
}

func TestCaseDeadlines_PolicyInForceAtStart(t *testing.T) {
	t.Parallel()
	p1 := DefaultPolicy()
	p1.Assessment, p1.ReferralAnswer = Days(3), Days(10)
	p2 := p1
	p2.ReferralAnswer = Days(2)
	policies := dlPolicies(dlChange{dlAt(2 * dlDay), p1}, dlChange{dlAt(5 * dlDay), p2})
	svc := term[serviceWords]("legal_aid")
	justice := term[agencyWords]("justice")
	s := dlCase(RiskLow, "dropout").
		at(dlAt(dlDay), CaseAssigned{WorkerID: "cw-1"}).
		at(dlAt(3*dlDay), ReferralMade{ReferralID: "r1", Agency: justice, Service: svc}).
		at(dlAt(6*dlDay), ReferralMade{ReferralID: "r2", Agency: justice, Service: svc})
	ds := CaseDeadlines(FoldCase(s.all()), nil, policies, dlAt(7*dlDay))

	as := dlOne(t, ds, KindAssessment)
	assert.Equal(t, int64(0), as.PolicyVersion, "started before the change: the default policy")
	dlSame(t, dlAt(8*dlDay), as.DueAt, "7 days, not the new 3")
	assert.Equal(t, DeadlineOpen, as.Status)
	refs := dlOf(ds, KindReferralAnswer)
	require.Len(t, refs, 2)
	assert.Equal(t, int64(1), refs[0].PolicyVersion)
	dlSame(t, dlAt(13*dlDay), refs[0].DueAt, "10 days under version 1")
	assert.Equal(t, int64(2), refs[1].PolicyVersion)
	dlSame(t, dlAt(8*dlDay), refs[1].DueAt, "2 days under version 2")
	for _, d := range dlOf(ds, KindFirstResponse) {
		assert.Equal(t, int64(0), d.PolicyVersion)
	}
}

func TestCaseDeadlines_AsOfLateEntry(t *testing.T) {
	t.Parallel()
	// The police report was made 30 minutes after the report but typed in
	// five days later.
	s := dlCase(RiskHigh, "abuse").
		at(dlAt(20*time.Minute), CaseAssigned{WorkerID: "cw-1"}).
		late(dlAt(30*time.Minute), dlAt(5*dlDay), ReportForwardedToPolice{PoliceUnit: "派出所"})
	then := CaseDeadlines(FoldCase(s.asOf(dlAt(dlDay))), nil, PolicyHistory{}, dlAt(dlDay))
	dlMet(t, dlOne(t, then, KindPoliceReport), DeadlineMissed, nil)
	now := CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(6*dlDay))
	dlMet(t, dlOne(t, now, KindPoliceReport), DeadlineMet, dlPtr(dlAt(30*time.Minute)))

	var late []Recorded
	for _, r := range s.all() {
		if isLate, delay, threshold := LateEntry(r, PolicyHistory{}); isLate {
			assert.Greater(t, delay, threshold)
			late = append(late, r)
		}
	}
	require.Len(t, late, 1)
	assert.Equal(t, ReportForwardedToPolice{PoliceUnit: "派出所"}, late[0].Event)
}

func TestCaseDeadlines_OrderAndDeterminism(t *testing.T) {
	t.Parallel()
	s := dlCase(RiskHigh, "begging").
		at(dlAt(time.Hour), ReferralMade{ReferralID: "b", Agency: term[agencyWords]("police"), Service: term[serviceWords]("other")}).
		at(dlAt(time.Hour), ReferralMade{ReferralID: "a", Agency: term[agencyWords]("health"), Service: term[serviceWords]("medical_care")}).
		at(dlAt(30*time.Minute), CaseAssigned{WorkerID: "cw-1"})
	ds := CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(dlDay))
	var got []string
	for _, d := range ds {
		got = append(got, d.Kind.String()+d.ReferralID)
	}
	assert.Equal(t, []string{"police_report", "first_response", "assignment", "assessment", "referral_answera", "referral_answerb"}, got)
	assert.Equal(t, ds, CaseDeadlines(FoldCase(s.all()), nil, PolicyHistory{}, dlAt(dlDay)))
	assert.Nil(t, CaseDeadlines(FoldCase(nil), nil, PolicyHistory{}, dlT0))
}

func TestLateEntry(t *testing.T) {
	t.Parallel()
	threshold := DefaultPolicy().LateEntry.D
	require.Equal(t, 72*time.Hour, threshold)
	s := dlNew(CaseStream("x")).
		at(dlT0, FollowUpRecorded{Note: "on time"}).
		late(dlT0, dlT0.Add(72*time.Hour), FollowUpRecorded{Note: "exactly 72 h"}).
		late(dlT0, dlT0.Add(72*time.Hour+time.Second), FollowUpRecorded{Note: "72 h and a second"}).
		late(dlT0, dlT0.Add(10*dlDay), FollowUpRecorded{Note: "ten days"}).
		late(dlAt(20*dlDay), dlAt(22*dlDay), FollowUpRecorded{Note: "two days, under a 24 h rule"})
	lateOf := func(history []Recorded, policies PolicyHistory) []int64 {
		var versions []int64
		for _, r := range history {
			if late, delay, th := LateEntry(r, policies); late {
				assert.Greater(t, delay, th)
				versions = append(versions, r.Version)
			}
		}
		return versions
	}
	assert.Equal(t, []int64{3, 4}, lateOf(s.all(), PolicyHistory{}))
	assert.Empty(t, lateOf(s.all()[:2], PolicyHistory{}))

	// Each entry is judged by the rule in force when it occurred.
	strict := DefaultPolicy()
	strict.LateEntry = Hours(24)
	policies := LoadPolicyHistory([]Recorded{{Version: 1, Event: DeadlinePolicyChanged{Policy: strict},
		OccurredAt: dlAt(15 * dlDay), RecordedAt: dlAt(15 * dlDay)}})
	assert.Equal(t, []int64{3, 4, 5}, lateOf(s.all(), policies))
}

func BenchmarkCaseDeadlines(b *testing.B) {
	s := dlCase(RiskHigh, "neglect").at(dlAt(time.Hour), CaseAssigned{WorkerID: "cw-1"})
	for i := range 100 {
		s.at(dlAt(time.Duration(i)*dlDay), FollowUpRecorded{Note: "n"})
		s.at(dlAt(time.Duration(i)*dlDay), ReferralMade{ReferralID: fmt.Sprint(i), Agency: term[agencyWords]("health"), Service: term[serviceWords]("other")})
		s.at(dlAt(time.Duration(i)*dlDay+time.Hour), ReferralAccepted{ReferralID: fmt.Sprint(i)})
	}
	history := s.all()
	b.ReportAllocs()
	for b.Loop() {
		CaseDeadlines(FoldCase(history), nil, PolicyHistory{}, dlAt(200*dlDay))
	}
}
