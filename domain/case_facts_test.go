package domain

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of CaseFacts, the one fold of a case. Histories are built with
// the dl* helpers of deadlines_test.go: dlCase opens case c1 of child k1 in
// dlVillage, received at dlT0 by dlReceiver; at appends an event that
// occurred and was recorded at a time, late one recorded after it occurred.

var (
	cfEducation = term[agencyWords]("education")
	cfPolice    = term[agencyWords]("police")
	cfJustice   = term[agencyWords]("justice")
	cfSchool    = term[serviceWords]("return_to_school")
	cfLegalAid  = term[serviceWords]("legal_aid")
	cfGround    = term[groundWords]("guardian_missing")
	cfCenter    = term[placementWords]("center")
	cfResolved  = term[closureReasonWords]("resolved")
	cfTransfer  = term[closureReasonWords]("transferred")
	cfOtherCW   = Actor{Subject: "cw-9", Role: RoleCaseworker, Jurisdiction: Jurisdiction{code: "370911"}}
)

func cfForward(unit string) ReportForwardedToPolice { return ReportForwardedToPolice{PoliceUnit: unit} }
func cfMade(id string, a Agency, s Service) ReferralMade {
	return ReferralMade{ReferralID: id, Agency: a, Service: s}
}

// cfSecondReport is a second report in case c1's stream that differs from
// dlCase's in everything: another child, place, source, concerns and risk.
func cfSecondReport() ReportReceived {
	return ReportReceived{CaseID: "c1", ChildID: "k2", Jurisdiction: Jurisdiction{code: "370911001001"},
		Source: term[sourceWords]("police"), Reporter: Reporter{Type: term[reporterWords]("police")},
		Concerns: []Concern{term[concernWords]("abuse"), term[concernWords]("living_alone")}, Risk: RiskHigh, Summary: "again"}
}

// cfWithoutBookkeeping is f without what every stored event moves: the
// version, the position and the horizon.
func cfWithoutBookkeeping(f CaseFacts) CaseFacts {
	f = f.Clone()
	f.Version, f.LastPosition, f.Horizon = 0, 0, time.Time{}
	return f
}

// cfJSON is the JSON a read model would keep of v.
func cfJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// cfSnapshot passes facts through JSON, as a read model keeps them.
func cfSnapshot(t *testing.T, f CaseFacts) CaseFacts {
	t.Helper()
	var back CaseFacts
	require.NoError(t, json.Unmarshal([]byte(cfJSON(t, f)), &back))
	return back
}

// cfSpec is one given/then of the fold: given this stream, then these facts.
type cfSpec struct {
	name  string
	given *dlStream
	then  func(t *testing.T, f CaseFacts)
}

func runCFSpecs(t *testing.T, specs []cfSpec) {
	t.Helper()
	for _, s := range specs {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.then(t, FoldCase(s.given.all()))
		})
	}
}

func TestCaseFactsReportOpensTheCase(t *testing.T) {
	t.Parallel()
	runCFSpecs(t, []cfSpec{
		{name: "a report opens the case with what it says", given: dlCase(RiskHigh, "neglect", "dropout"),
			then: func(t *testing.T, f CaseFacts) {
				assert.True(t, f.Opened())
				assert.Equal(t, CaseFacts{
					ID: "c1", ChildID: "k1", Jurisdiction: dlVillage, Status: StatusOpen, Source: term[sourceWords]("visit"),
					Concerns:     []Concern{term[concernWords]("neglect"), term[concernWords]("dropout")},
					ReportedRisk: RiskHigh, Risk: RiskHigh, ReceivedAt: dlT0, Receiver: dlReceiver,
					Version: 1, LastPosition: 1, Horizon: dlT0,
				}, f)
				assert.Nil(t, f.PendingReferrals())
				assert.Nil(t, f.Guardianship())
				assert.False(t, f.GuardianshipActive())
				assert.Nil(t, f.FirstAssessedAt())
			}},
		{name: "a report without a case id takes the stream's",
			given: dlNew(CaseStream("from-stream")).by(dlReceiver, dlT0, dlT0, ReportReceived{ChildID: "k1", Jurisdiction: dlVillage,
				Concerns: []Concern{term[concernWords]("dropout")}, Risk: RiskLow}),
			then: func(t *testing.T, f CaseFacts) {
				assert.True(t, f.Opened())
				assert.Equal(t, "from-stream", f.ID)
			}},
		{name: "the report's concerns are the facts' own", given: dlCase(RiskLow, "dropout"),
			then: func(t *testing.T, f CaseFacts) {
				// The event's slice is not the facts': changing one leaves the other.
				f2 := FoldCase(dlCase(RiskLow, "dropout").all())
				f2.Concerns[0] = Concern{}
				assert.Equal(t, []Concern{term[concernWords]("dropout")}, f.Concerns)
			}},
	})

	t.Run("no stream, no case", func(t *testing.T) {
		t.Parallel()
		for name, f := range map[string]CaseFacts{"nil": FoldCase(nil), "empty": FoldCase([]Recorded{})} {
			assert.False(t, f.Opened(), name)
			assert.Equal(t, CaseFacts{}, f, name)
		}
	})
}

func TestCaseFactsClockMoments(t *testing.T) {
	t.Parallel()
	h := time.Hour
	runCFSpecs(t, []cfSpec{
		{name: "a back-dated second police report is the earliest",
			given: dlCase(RiskHigh, "neglect").at(dlAt(3*h), cfForward("a")).late(dlAt(30*time.Minute), dlAt(4*h), cfForward("b")),
			then: func(t *testing.T, f CaseFacts) {
				require.NotNil(t, f.PoliceReportedAt)
				dlSame(t, dlAt(30*time.Minute), *f.PoliceReportedAt, "police reported")
			}},
		{name: "a later second police report leaves the first",
			given: dlCase(RiskHigh, "neglect").at(dlAt(30*time.Minute), cfForward("a")).at(dlAt(3*h), cfForward("b")),
			then: func(t *testing.T, f CaseFacts) {
				require.NotNil(t, f.PoliceReportedAt)
				dlSame(t, dlAt(30*time.Minute), *f.PoliceReportedAt, "police reported")
			}},
		{name: "no police report, no time", given: dlCase(RiskHigh, "neglect").at(dlAt(h), FollowUpRecorded{Note: "n"}),
			then: func(t *testing.T, f CaseFacts) { assert.Nil(t, f.PoliceReportedAt) }},

		{name: "an emergency response is a first response",
			given: dlCase(RiskHigh, "neglect").at(dlAt(2*h), EmergencyResponseRecorded{Action: "a"}),
			then:  func(t *testing.T, f CaseFacts) { assert.Equal(t, dlPtr(dlAt(2*h)), f.FirstResponseAt) }},
		{name: "a follow-up is a first response",
			given: dlCase(RiskHigh, "neglect").at(dlAt(2*h), FollowUpRecorded{Note: "n"}),
			then:  func(t *testing.T, f CaseFacts) { assert.Equal(t, dlPtr(dlAt(2*h)), f.FirstResponseAt) }},
		{name: "an assessment is a first response",
			given: dlCase(RiskHigh, "neglect").at(dlAt(2*h), AssessmentCompleted{Risk: RiskLow}),
			then:  func(t *testing.T, f CaseFacts) { assert.Equal(t, dlPtr(dlAt(2*h)), f.FirstResponseAt) }},
		{name: "a conference, an intervention, an assignment or a police report is no first response",
			given: dlCase(RiskHigh, "neglect").at(dlAt(h), CaseConferenceHeld{Agencies: []Agency{cfPolice}, Decisions: "d"}).
				at(dlAt(h), GuardianshipInterventionRecorded{Measure: "m"}).at(dlAt(h), CaseAssigned{WorkerID: "cw-1"}).
				at(dlAt(h), cfForward("a")),
			then: func(t *testing.T, f CaseFacts) { assert.Nil(t, f.FirstResponseAt) }},
		{name: "the first response is the earliest contact of any kind, whatever the order entered",
			given: dlCase(RiskHigh, "neglect").
				at(dlAt(5*h), FollowUpRecorded{Note: "n"}).
				late(dlAt(3*h), dlAt(6*h), EmergencyResponseRecorded{Action: "a"}).
				late(dlAt(2*h), dlAt(7*h), AssessmentCompleted{Risk: RiskLow}).
				late(dlAt(4*h), dlAt(8*h), FollowUpRecorded{Note: "n"}),
			then: func(t *testing.T, f CaseFacts) { assert.Equal(t, dlPtr(dlAt(2*h)), f.FirstResponseAt) }},

		{name: "assessments by business time; the latest entered sets the risk",
			given: dlCase(RiskMedium, "neglect").
				at(dlAt(3*dlDay), AssessmentCompleted{Risk: RiskHigh, GuardianshipAssessment: "grandmother frail"}).
				late(dlAt(dlDay), dlAt(4*dlDay), AssessmentCompleted{Risk: RiskLow}).
				late(dlAt(2*dlDay), dlAt(5*dlDay), AssessmentCompleted{GuardianshipAssessment: "no risk given"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []time.Time{dlAt(dlDay), dlAt(2 * dlDay), dlAt(3 * dlDay)}, f.Assessments)
				assert.Equal(t, []time.Time{dlAt(2 * dlDay), dlAt(3 * dlDay)}, f.GuardianshipAssessments,
					"only assessments of the guardianship")
				assert.Equal(t, RiskLow, f.Risk, "the last assessment that gives a risk, as entered")
				assert.Equal(t, RiskMedium, f.ReportedRisk, "the report's risk stays for the clocks")
				assert.Equal(t, dlPtr(dlAt(dlDay)), f.FirstAssessedAt())
				assert.Equal(t, dlPtr(dlAt(dlDay)), f.FirstResponseAt)
			}},
		{name: "the assignee follows the stream; assignments are sorted by business time",
			given: dlCase(RiskMedium, "neglect").
				at(dlAt(2*h), CaseAssigned{WorkerID: "cw-1"}).
				at(dlAt(5*h), CaseAssigned{WorkerID: "cw-2"}).
				late(dlAt(3*h), dlAt(6*h), CaseAssigned{WorkerID: "cw-3"}).
				late(dlAt(2*h), dlAt(7*h), CaseAssigned{WorkerID: "cw-4"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, "cw-4", f.Assignee, "the last assignment entered")
				assert.Equal(t, []OwnerSpan{{"cw-1", dlAt(2 * h)}, {"cw-4", dlAt(2 * h)}, {"cw-3", dlAt(3 * h)}, {"cw-2", dlAt(5 * h)}},
					f.Assignments, "by business time, a tie in the order entered")
			}},
		{name: "follow-ups and major incidents are sorted by business time",
			given: dlCase(RiskMedium, "neglect").
				at(dlAt(5*h), FollowUpRecorded{Note: "n"}).
				late(dlAt(h), dlAt(6*h), FollowUpRecorded{Note: "n"}).
				at(dlAt(4*h), MajorIncidentDeclared{Description: "d"}).
				late(dlAt(2*h), dlAt(7*h), MajorIncidentDeclared{Description: "d"}).
				late(dlAt(5*h), dlAt(8*h), FollowUpRecorded{Note: "same time"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []time.Time{dlAt(h), dlAt(5 * h), dlAt(5 * h)}, f.FollowUps)
				assert.Equal(t, []time.Time{dlAt(2 * h), dlAt(4 * h)}, f.MajorIncidents)
			}},
		{name: "the horizon is the latest business time of any event",
			given: dlCase(RiskMedium, "neglect").
				at(dlAt(5*h), FollowUpRecorded{Note: "n"}).
				late(dlAt(h), dlAt(6*h), FollowUpRecorded{Note: "n"}).
				at(dlAt(9*h), ChildDataErased{Reason: "not a case event"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, dlAt(9*h), f.Horizon)
				assert.Equal(t, int64(4), f.Version)
				assert.Equal(t, int64(4), f.LastPosition)
			}},
	})
}

func TestCaseFactsReferrals(t *testing.T) {
	t.Parallel()
	made := func() *dlStream {
		return dlCase(RiskMedium, "dropout").at(dlAt(time.Hour), cfMade("r1", cfEducation, cfSchool))
	}
	referral := func(status ReferralStatus, answered *time.Time) Referral {
		return Referral{ID: "r1", Agency: cfEducation, Service: cfSchool, Status: status, MadeAt: dlAt(time.Hour), AnsweredAt: answered}
	}
	runCFSpecs(t, []cfSpec{
		{name: "a referral made is pending", given: made(),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusPending, nil)}, f.Referrals)
				assert.Equal(t, []string{"r1"}, f.PendingReferrals())
			}},
		{name: "referrals are kept in the order made; a repeated id is ignored",
			given: dlCase(RiskMedium, "dropout").
				at(dlAt(2*time.Hour), cfMade("r2", cfPolice, cfLegalAid)).
				late(dlAt(time.Hour), dlAt(3*time.Hour), cfMade("r1", cfEducation, cfSchool)).
				at(dlAt(4*time.Hour), cfMade("r2", cfJustice, cfSchool)),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{
					{ID: "r2", Agency: cfPolice, Service: cfLegalAid, Status: ReferralStatusPending, MadeAt: dlAt(2 * time.Hour)},
					referral(ReferralStatusPending, nil),
				}, f.Referrals)
				assert.Equal(t, []string{"r2", "r1"}, f.PendingReferrals())
			}},
		{name: "accepted, then completed: answered when accepted",
			given: made().at(dlAt(2*dlDay), ReferralAccepted{ReferralID: "r1"}).at(dlAt(5*dlDay), ReferralCompleted{ReferralID: "r1"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusCompleted, dlPtr(dlAt(2*dlDay)))}, f.Referrals)
				assert.Empty(t, f.PendingReferrals())
			}},
		{name: "accepted and not yet completed is still pending",
			given: made().at(dlAt(2*dlDay), ReferralAccepted{ReferralID: "r1"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusAccepted, dlPtr(dlAt(2*dlDay)))}, f.Referrals)
				assert.Equal(t, []string{"r1"}, f.PendingReferrals())
			}},
		{name: "declined: answered and done",
			given: made().at(dlAt(3*dlDay), ReferralDeclined{ReferralID: "r1", Reason: "no place"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusDeclined, dlPtr(dlAt(3*dlDay)))}, f.Referrals)
				assert.Empty(t, f.PendingReferrals())
			}},
		{name: "completed without an acceptance entered: the completion is the answer",
			given: made().at(dlAt(4*dlDay), ReferralCompleted{ReferralID: "r1"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusCompleted, dlPtr(dlAt(4*dlDay)))}, f.Referrals)
			}},
		{name: "a back-dated answer entered last: earliest answer by business time, status as entered",
			given: made().at(dlAt(5*dlDay), ReferralCompleted{ReferralID: "r1"}).
				late(dlAt(2*dlDay), dlAt(6*dlDay), ReferralAccepted{ReferralID: "r1"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusAccepted, dlPtr(dlAt(2*dlDay)))}, f.Referrals)
				assert.Equal(t, []string{"r1"}, f.PendingReferrals())
			}},
		{name: "an answer to a referral never made changes nothing",
			given: made().at(dlAt(dlDay), ReferralAccepted{ReferralID: "r9"}).at(dlAt(dlDay), ReferralDeclined{ReferralID: "r9"}).
				at(dlAt(dlDay), ReferralCompleted{ReferralID: "r9"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusPending, nil)}, f.Referrals)
			}},
		{name: "an answer entered before the referral was made changes nothing",
			given: dlCase(RiskMedium, "dropout").at(dlAt(30*time.Minute), ReferralAccepted{ReferralID: "r1"}).
				at(dlAt(time.Hour), cfMade("r1", cfEducation, cfSchool)),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []Referral{referral(ReferralStatusPending, nil)}, f.Referrals)
			}},
	})
}

func TestCaseFactsTemporaryGuardianship(t *testing.T) {
	t.Parallel()
	started := TemporaryGuardianshipStarted{Ground: cfGround, Placement: cfCenter}
	ended := TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily}
	runCFSpecs(t, []cfSpec{
		{name: "started: active", given: dlCase(RiskHigh, "abuse").at(dlAt(dlDay), started),
			then: func(t *testing.T, f CaseFacts) {
				want := TemporaryGuardianship{Active: true, Ground: cfGround, Placement: cfCenter, StartedAt: dlAt(dlDay)}
				assert.Equal(t, []TemporaryGuardianship{want}, f.Guardianships)
				assert.True(t, f.GuardianshipActive())
				assert.Equal(t, &want, f.Guardianship())
			}},
		{name: "ended: no longer active, with its end",
			given: dlCase(RiskHigh, "abuse").at(dlAt(dlDay), started).at(dlAt(3*dlDay), ended),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, []TemporaryGuardianship{
					{Active: false, Ground: cfGround, Placement: cfCenter, StartedAt: dlAt(dlDay), EndedAt: dlPtr(dlAt(3 * dlDay))},
				}, f.Guardianships)
				assert.False(t, f.GuardianshipActive())
			}},
		{name: "ending ends only an active one: a second end changes nothing",
			given: dlCase(RiskHigh, "abuse").at(dlAt(dlDay), started).at(dlAt(3*dlDay), ended).at(dlAt(4*dlDay), ended),
			then: func(t *testing.T, f CaseFacts) {
				require.Len(t, f.Guardianships, 1)
				assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.Guardianships[0].EndedAt)
			}},
		{name: "an end without a start changes nothing",
			given: dlCase(RiskHigh, "abuse").at(dlAt(dlDay), ended),
			then: func(t *testing.T, f CaseFacts) {
				assert.Empty(t, f.Guardianships)
				assert.Nil(t, f.Guardianship())
				assert.False(t, f.GuardianshipActive())
			}},
		{name: "started again after an end: the latest is the one shown",
			given: dlCase(RiskHigh, "abuse").at(dlAt(dlDay), started).at(dlAt(3*dlDay), ended).
				at(dlAt(5*dlDay), TemporaryGuardianshipStarted{Ground: cfGround, Placement: term[placementWords]("kin")}),
			then: func(t *testing.T, f CaseFacts) {
				require.Len(t, f.Guardianships, 2)
				assert.False(t, f.Guardianships[0].Active)
				assert.True(t, f.GuardianshipActive())
				assert.Equal(t, &TemporaryGuardianship{Active: true, Ground: cfGround, Placement: term[placementWords]("kin"),
					StartedAt: dlAt(5 * dlDay)}, f.Guardianship())
			}},
	})

	t.Run("Guardianship hands out a copy", func(t *testing.T) {
		t.Parallel()
		f := FoldCase(dlCase(RiskHigh, "abuse").at(dlAt(dlDay), started).at(dlAt(3*dlDay), ended).all())
		g := f.Guardianship()
		g.Active, *g.EndedAt = true, time.Time{}
		assert.False(t, f.Guardianships[0].Active)
		assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.Guardianships[0].EndedAt)
	})
}

func TestCaseFactsClosure(t *testing.T) {
	t.Parallel()
	closed := func(reason ClosureReason) CaseClosed { return CaseClosed{Reason: reason} }
	runCFSpecs(t, []cfSpec{
		{name: "closing keeps when and why",
			given: dlCase(RiskLow, "dropout").at(dlAt(3*dlDay), closed(cfResolved)),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, StatusClosed, f.Status)
				assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.ClosedAt)
				assert.Equal(t, cfResolved, f.ClosureReason)
				assert.Equal(t, []Closure{{At: dlAt(3 * dlDay), Reason: cfResolved}}, f.Closures)
			}},
		{name: "reopening clears when and why, and keeps the closure",
			given: dlCase(RiskLow, "dropout").at(dlAt(3*dlDay), closed(cfResolved)).at(dlAt(4*dlDay), CaseReopened{Reason: "r"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, StatusOpen, f.Status)
				assert.Nil(t, f.ClosedAt)
				assert.True(t, f.ClosureReason.IsZero())
				assert.Equal(t, []Closure{{At: dlAt(3 * dlDay), Reason: cfResolved}}, f.Closures)
			}},
		{name: "closed again: the closing that holds, and every closure",
			given: dlCase(RiskLow, "dropout").at(dlAt(3*dlDay), closed(cfResolved)).at(dlAt(4*dlDay), CaseReopened{Reason: "r"}).
				at(dlAt(6*dlDay), closed(ClosureReturnedToFamily)),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, StatusClosed, f.Status)
				assert.Equal(t, dlPtr(dlAt(6*dlDay)), f.ClosedAt)
				assert.Equal(t, ClosureReturnedToFamily, f.ClosureReason)
				assert.Equal(t, []Closure{{dlAt(3 * dlDay), cfResolved}, {dlAt(6 * dlDay), ClosureReturnedToFamily}}, f.Closures)
			}},
		{name: "a back-dated closing: the closures by business time, when and why of the closing that holds",
			given: dlCase(RiskLow, "dropout").at(dlAt(5*dlDay), closed(cfResolved)).at(dlAt(6*dlDay), CaseReopened{Reason: "r"}).
				late(dlAt(4*dlDay), dlAt(7*dlDay), closed(cfTransfer)),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, StatusClosed, f.Status)
				assert.Equal(t, dlPtr(dlAt(4*dlDay)), f.ClosedAt)
				assert.Equal(t, cfTransfer, f.ClosureReason)
				assert.Equal(t, []Closure{{dlAt(4 * dlDay), cfTransfer}, {dlAt(5 * dlDay), cfResolved}}, f.Closures)
			}},
		{name: "a follow-up and a major incident after closing leave it closed",
			given: dlCase(RiskLow, "dropout").at(dlAt(3*dlDay), closed(cfResolved)).at(dlAt(4*dlDay), FollowUpRecorded{Note: "n"}).
				at(dlAt(4*dlDay), MajorIncidentDeclared{Description: "d"}),
			then: func(t *testing.T, f CaseFacts) {
				assert.Equal(t, StatusClosed, f.Status)
				assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.ClosedAt)
				assert.Equal(t, []time.Time{dlAt(4 * dlDay)}, f.FollowUps)
				assert.Equal(t, []time.Time{dlAt(4 * dlDay)}, f.MajorIncidents)
			}},
	})
}

// TestCaseFactsChangeNothing: given a case, when one of these events is
// entered, then the facts are as before but for the version, position and
// horizon.
func TestCaseFactsChangeNothing(t *testing.T) {
	t.Parallel()
	given := func() *dlStream {
		return dlCase(RiskLow, "dropout").
			at(dlAt(time.Hour), CaseAssigned{WorkerID: "cw-1"}).
			at(dlAt(2*time.Hour), cfMade("r1", cfEducation, cfSchool)).
			at(dlAt(3*time.Hour), TemporaryGuardianshipStarted{Ground: cfGround, Placement: cfCenter}).
			at(dlAt(4*time.Hour), TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily})
	}
	later := dlAt(5 * time.Hour)
	for _, tc := range []struct {
		name     string
		occurred time.Time
		by       Actor
		event    Event
	}{
		{"a second report", later, cfOtherCW, cfSecondReport()},
		{"a second report, back-dated before the first", dlT0.Add(-2 * dlDay), cfOtherCW, cfSecondReport()},
		{"a second report with another case id", later, dlReceiver, func() Event { e := cfSecondReport(); e.CaseID = "c2"; return e }()},
		{"a second report identical to the first", later, dlReceiver, dlCase(RiskLow, "dropout").all()[0].Event},
		{"a referral id made again", later, dlWorker, cfMade("r1", cfJustice, cfLegalAid)},
		{"an acceptance of an unknown referral", later, dlWorker, ReferralAccepted{ReferralID: "r9"}},
		{"a decline of an unknown referral", later, dlWorker, ReferralDeclined{ReferralID: "r9", Reason: "x"}},
		{"a completion of an unknown referral", later, dlWorker, ReferralCompleted{ReferralID: "r9"}},
		{"an end of temporary guardianship none is active", later, dlWorker, TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily}},
		{"a reopening of an open case", later, dlWorker, CaseReopened{Reason: "r"}},
		{"a case conference", later, dlWorker, CaseConferenceHeld{Agencies: []Agency{cfPolice}, Decisions: "d"}},
		{"a guardianship intervention", later, dlWorker, GuardianshipInterventionRecorded{Measure: "m"}},
		{"a correction", later, dlWorker, EntryCorrected{CorrectedType: "case.assigned", Correction: "c", Reason: "r"}},
		{"an event of a child's file", later, dlWorker, ChildDataErased{Reason: "r"}},
		{"an event of the register", later, dlWorker, WorkerRegistered{WorkerID: "w1", Name: "n", Role: RoleCaseworker}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := FoldCase(given().all())
			s := given().by(tc.by, tc.occurred, later, tc.event)
			after := FoldCase(s.all())

			assert.Equal(t, cfWithoutBookkeeping(before), cfWithoutBookkeeping(after))
			assert.Equal(t, int64(6), after.Version, "every stored event counts")
			assert.Equal(t, int64(6), after.LastPosition)
			wantHorizon := before.Horizon
			if tc.occurred.After(wantHorizon) {
				wantHorizon = tc.occurred
			}
			assert.Equal(t, wantHorizon, after.Horizon)
		})
	}
}

func TestCaseFactsSecondReport(t *testing.T) {
	t.Parallel()
	given := func() *dlStream {
		return dlCase(RiskLow, "dropout").at(dlAt(time.Hour), CaseAssigned{WorkerID: "cw-1"})
	}
	for _, tc := range []struct {
		name     string
		stream   func() *dlStream
		occurred time.Time
		status   CaseStatus
	}{
		{"received later", given, dlAt(2 * time.Hour), StatusOpen},
		{"back-dated before the first", given, dlT0.Add(-3 * dlDay), StatusOpen},
		{"on a closed case", func() *dlStream {
			return given().at(dlAt(2*dlDay), CaseClosed{Reason: cfResolved})
		}, dlAt(3 * dlDay), StatusClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// given a case, when a second report is entered in its stream,
			without := tc.stream()
			with := tc.stream().by(cfOtherCW, tc.occurred, dlAt(5*dlDay), cfSecondReport())
			f := FoldCase(with.all())

			// then the first report's facts stand,
			assert.Equal(t, "c1", f.ID)
			assert.Equal(t, "k1", f.ChildID)
			assert.Equal(t, dlVillage, f.Jurisdiction)
			assert.Equal(t, term[sourceWords]("visit"), f.Source)
			assert.Equal(t, []Concern{term[concernWords]("dropout")}, f.Concerns)
			assert.Equal(t, RiskLow, f.ReportedRisk)
			assert.Equal(t, RiskLow, f.Risk)
			assert.Equal(t, dlReceiver, f.Receiver)
			assert.Equal(t, dlT0, f.ReceivedAt)
			assert.Equal(t, tc.status, f.Status)
			assert.Equal(t, cfWithoutBookkeeping(FoldCase(without.all())), cfWithoutBookkeeping(f))

			// and the deadlines are those of the case without it: no police
			// report for the second report's mandatory concerns, the clocks
			// of the first report's risk, from its time.
			for _, now := range []time.Time{dlAt(30 * time.Minute), dlAt(2 * time.Hour), dlAt(2 * dlDay), dlAt(30 * dlDay)} {
				ds := CaseDeadlines(f, nil, PolicyHistory{}, now)
				assert.Equal(t, CaseDeadlines(FoldCase(without.all()), nil, PolicyHistory{}, now), ds, "now %s", now)
				assert.Empty(t, dlOf(ds, KindPoliceReport))
				if tc.status == StatusClosed {
					continue // closed before it fell due: no first response clock
				}
				fr := dlOne(t, ds, KindFirstResponse)
				dlSame(t, dlT0, fr.StartedAt, "first response started")
				dlSame(t, dlAt(7*dlDay), fr.DueAt, "first response due by the first report's low risk")
			}
		})
	}
}

func TestCaseFactsBackDatedPoliceReportMeetsTheDeadline(t *testing.T) {
	t.Parallel()
	// given a high-risk case reported to the police late, 3 hours after it
	// was received,
	late := dlCase(RiskHigh, "neglect").at(dlAt(3*time.Hour), cfForward("派出所"))
	now := dlAt(dlDay)
	before := dlOne(t, CaseDeadlines(FoldCase(late.all()), nil, PolicyHistory{}, now), KindPoliceReport)
	dlMet(t, before, DeadlineMetLate, dlPtr(dlAt(3*time.Hour)))

	// when a second police report is entered after it that happened 30
	// minutes after the report was received,
	late.late(dlAt(30*time.Minute), dlAt(4*time.Hour), cfForward("另一派出所"))
	f := FoldCase(late.all())

	// then the police were reported to at the earliest business time, and
	// the obligation was met then, by the receiver.
	require.NotNil(t, f.PoliceReportedAt)
	dlSame(t, dlAt(30*time.Minute), *f.PoliceReportedAt, "police reported")
	d := dlOne(t, CaseDeadlines(f, nil, PolicyHistory{}, now), KindPoliceReport)
	dlMet(t, d, DeadlineMet, dlPtr(dlAt(30*time.Minute)))
	assert.Equal(t, "dir-1", d.Owner)
	dlSame(t, dlAt(time.Hour), d.DueAt, "due an hour after the report")

	// As the record stood before the second entry, it was met late.
	asOf := dlOne(t, CaseDeadlines(FoldCase(late.asOf(dlAt(3*time.Hour))), nil, PolicyHistory{}, dlAt(3*time.Hour)), KindPoliceReport)
	dlMet(t, asOf, DeadlineMetLate, dlPtr(dlAt(3*time.Hour)))
}

func TestCaseFactsEventsBeforeTheReport(t *testing.T) {
	t.Parallel()
	before := func() *dlStream {
		return dlNew(CaseStream("c1")).
			at(dlT0.Add(-2*time.Hour), cfForward("a")).
			at(dlT0.Add(-time.Hour), EmergencyResponseRecorded{Action: "a"}).
			at(dlT0.Add(-time.Hour), CaseAssigned{WorkerID: "cw-1"}).
			at(dlT0.Add(-50*time.Minute), AssessmentCompleted{Risk: RiskHigh, GuardianshipAssessment: "g"}).
			at(dlT0.Add(-40*time.Minute), cfMade("r1", cfEducation, cfSchool)).
			at(dlT0.Add(-30*time.Minute), TemporaryGuardianshipStarted{Ground: cfGround, Placement: cfCenter}).
			at(dlT0.Add(-20*time.Minute), MajorIncidentDeclared{Description: "d"}).
			at(dlT0.Add(-10*time.Minute), FollowUpRecorded{Note: "n"}).
			at(dlAt(3*dlDay), CaseClosed{Reason: cfResolved}) // entered before the report, happened after it
	}
	report := dlCase(RiskHigh, "neglect").all()[0]

	t.Run("without the report nothing opens", func(t *testing.T) {
		t.Parallel()
		f := FoldCase(before().all())
		assert.False(t, f.Opened())
		assert.Equal(t, CaseFacts{Version: 9, LastPosition: 9, Horizon: dlAt(3 * dlDay)}, f)
		assert.Nil(t, CaseDeadlines(f, nil, PolicyHistory{}, dlAt(dlDay)))
	})

	t.Run("then the report: only the version counts them", func(t *testing.T) {
		t.Parallel()
		s := before().by(report.Actor, report.OccurredAt, report.RecordedAt, report.Event).
			at(dlAt(time.Hour), ReferralAccepted{ReferralID: "r1"}) // r1 was made before the report: unknown
		f := FoldCase(s.all())
		only := FoldCase(dlCase(RiskHigh, "neglect").all())

		assert.Equal(t, cfWithoutBookkeeping(only), cfWithoutBookkeeping(f))
		assert.Equal(t, int64(11), f.Version)
		assert.Equal(t, StatusOpen, f.Status, "the closure before the report does not close it")
		assert.Nil(t, f.PoliceReportedAt)
		assert.Empty(t, f.Referrals)

		now := dlAt(2 * time.Hour)
		assert.Equal(t, CaseDeadlines(only, nil, PolicyHistory{}, now), CaseDeadlines(f, nil, PolicyHistory{}, now))
		dlMet(t, dlOne(t, CaseDeadlines(f, nil, PolicyHistory{}, now), KindPoliceReport), DeadlineMissed, nil)
	})
}

func TestCaseFactsVersionAndPosition(t *testing.T) {
	t.Parallel()
	report := dlCase(RiskLow, "dropout").all()[0]
	var f CaseFacts
	// Events without a stream version (not yet stored) count one each.
	for _, pos := range []int64{10, 20, 30} {
		r := report
		r.Version, r.Position = 0, pos
		f.Apply(r)
	}
	assert.Equal(t, int64(3), f.Version)
	assert.Equal(t, int64(30), f.LastPosition)

	// A stored event's version is the version.
	r := report
	r.Version, r.Position = 7, 70
	f.Apply(r)
	assert.Equal(t, int64(7), f.Version)
	assert.Equal(t, int64(70), f.LastPosition)

	r.Version, r.Position = 0, 71
	f.Apply(r)
	assert.Equal(t, int64(8), f.Version)
	assert.Equal(t, int64(71), f.LastPosition)
}

// TestCaseFactsClocksDoNotDependOnTheOrderEntered: the moments clocks read
// are business times, kept sorted; entering the same events in any order
// gives the same ones.
func TestCaseFactsClocksDoNotDependOnTheOrderEntered(t *testing.T) {
	t.Parallel()
	type timed struct {
		at time.Duration
		e  Event
	}
	events := []timed{
		{3 * time.Hour, cfForward("a")}, {90 * time.Minute, cfForward("b")},
		{5 * time.Hour, EmergencyResponseRecorded{Action: "a"}}, {4 * time.Hour, FollowUpRecorded{Note: "n"}},
		{50 * time.Hour, FollowUpRecorded{Note: "n"}}, {2 * time.Hour, AssessmentCompleted{Risk: RiskLow}},
		{30 * time.Hour, AssessmentCompleted{Risk: RiskHigh, GuardianshipAssessment: "g"}},
		{time.Hour, CaseAssigned{WorkerID: "cw-1"}}, {20 * time.Hour, CaseAssigned{WorkerID: "cw-2"}},
		{10 * time.Hour, CaseAssigned{WorkerID: "cw-3"}}, {40 * time.Hour, MajorIncidentDeclared{Description: "d"}},
		{35 * time.Hour, MajorIncidentDeclared{Description: "d"}}, {60 * time.Hour, CaseClosed{Reason: cfResolved}},
		{61 * time.Hour, CaseReopened{Reason: "r"}}, {45 * time.Hour, CaseClosed{Reason: cfTransfer}},
	}
	clocks := func(f CaseFacts) CaseFacts {
		return CaseFacts{PoliceReportedAt: f.PoliceReportedAt, FirstResponseAt: f.FirstResponseAt, Assessments: f.Assessments,
			GuardianshipAssessments: f.GuardianshipAssessments, FollowUps: f.FollowUps, MajorIncidents: f.MajorIncidents,
			Assignments: f.Assignments, Closures: f.Closures, Horizon: f.Horizon}
	}
	build := func(order []int) CaseFacts {
		s := dlCase(RiskHigh, "neglect")
		for i, k := range order {
			s.late(dlAt(events[k].at), dlAt(100*time.Hour+time.Duration(i)*time.Minute), events[k].e)
		}
		return FoldCase(s.all())
	}
	inOrder := make([]int, len(events))
	for i := range inOrder {
		inOrder[i] = i
	}
	want := clocks(build(inOrder))
	require.Equal(t, dlPtr(dlAt(90*time.Minute)), want.PoliceReportedAt)
	require.Equal(t, dlPtr(dlAt(2*time.Hour)), want.FirstResponseAt)
	require.Equal(t, []OwnerSpan{{"cw-1", dlAt(time.Hour)}, {"cw-3", dlAt(10 * time.Hour)}, {"cw-2", dlAt(20 * time.Hour)}}, want.Assignments)
	require.Equal(t, []Closure{{dlAt(45 * time.Hour), cfTransfer}, {dlAt(60 * time.Hour), cfResolved}}, want.Closures)

	rng := rand.New(rand.NewPCG(11, 2024))
	for n := range 50 {
		order := rng.Perm(len(events))
		assert.Equal(t, want, clocks(build(order)), "order %v (#%d)", order, n)
	}
}

func TestCaseFactsClone(t *testing.T) {
	t.Parallel()
	history := cfRichHistory().all()
	orig := FoldCase(history)
	cfRequireFilled(t, orig)

	t.Run("a changed clone leaves the original", func(t *testing.T) {
		t.Parallel()
		orig, want := FoldCase(history), FoldCase(history)
		c := orig.Clone()
		require.Equal(t, want, c)

		c.Concerns[0] = Concern{}
		c.Assignments[0].Owner = "someone else"
		*c.PoliceReportedAt = time.Time{}
		*c.FirstResponseAt = time.Time{}
		c.Assessments[0], c.GuardianshipAssessments[0], c.FollowUps[0], c.MajorIncidents[0] = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		c.Guardianships[0].Active = true
		*c.Guardianships[0].EndedAt = time.Time{}
		c.Referrals[0].Status = ReferralStatusPending
		*c.Referrals[0].AnsweredAt = time.Time{}
		*c.ClosedAt = time.Time{}
		c.Closures[0].Reason = ClosureReason{}
		assert.Equal(t, want, orig)

		// Whatever a clone reaches through a slice or a pointer is its own.
		c = orig.Clone()
		cfScribble(reflect.ValueOf(&c).Elem())
		assert.NotEqual(t, want, c, "the scribble changed the clone")
		assert.Equal(t, want, orig)
	})

	t.Run("a changed original leaves the clone", func(t *testing.T) {
		t.Parallel()
		orig, want := FoldCase(history), FoldCase(history)
		c := orig.Clone()
		cfScribble(reflect.ValueOf(&orig).Elem())
		assert.Equal(t, want, c)
	})

	t.Run("the zero facts clone to the zero facts", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, CaseFacts{}, CaseFacts{}.Clone())
	})
}

func TestCaseFactsDeidentified(t *testing.T) {
	t.Parallel()
	// Distinctive names, so that none can hide in another value.
	receiver := Actor{Subject: "receiver-qzx", Role: RoleChildDirector, Jurisdiction: dlVillage}
	s := dlNew(CaseStream("c1")).by(receiver, dlT0, dlT0, ReportReceived{CaseID: "c1", ChildID: "child-vwy",
		Jurisdiction: dlVillage, Source: term[sourceWords]("visit"), Reporter: Reporter{Type: term[reporterWords]("neighbour"), Name: "王大姐", Phone: "13800000000"},
		Concerns: []Concern{term[concernWords]("neglect")}, Risk: RiskHigh, Summary: "孩子独自在家"}).
		at(dlAt(time.Hour), CaseAssigned{WorkerID: "worker-jkp"}).
		at(dlAt(2*time.Hour), CaseAssigned{WorkerID: "worker-hgf"}).
		at(dlAt(3*time.Hour), cfMade("r1", cfEducation, cfSchool)).
		at(dlAt(4*time.Hour), FollowUpRecorded{Note: "saw the child"})
	orig := FoldCase(s.all())
	want := FoldCase(s.all())
	d := orig.Deidentified()

	t.Run("names no one", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, d.ChildID)
		assert.Equal(t, Actor{}, d.Receiver)
		assert.Empty(t, d.Assignee)
		require.Len(t, d.Assignments, 2)
		for _, a := range d.Assignments {
			assert.Empty(t, a.Owner)
		}
		text := cfJSON(t, d)
		for _, name := range []string{"child-vwy", "receiver-qzx", "worker-jkp", "worker-hgf", "王大姐", "13800000000", "孩子独自在家", "saw the child"} {
			assert.NotContains(t, text, name)
		}
	})

	t.Run("keeps everything else", func(t *testing.T) {
		t.Parallel()
		named := d.Clone()
		named.ChildID, named.Receiver, named.Assignee = orig.ChildID, orig.Receiver, orig.Assignee
		for i := range named.Assignments {
			named.Assignments[i].Owner = orig.Assignments[i].Owner
		}
		assert.Equal(t, orig, named)
		assert.Equal(t, []OwnerSpan{{"", dlAt(time.Hour)}, {"", dlAt(2 * time.Hour)}}, d.Assignments, "the times of the assignments stay")
		assert.True(t, d.Opened())
	})

	t.Run("leaves the original named", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, want, orig)
		dd := orig.Deidentified()
		cfScribble(reflect.ValueOf(&dd).Elem())
		assert.Equal(t, want, orig)
	})

	t.Run("the deadlines of the de-identified facts keep their times", func(t *testing.T) {
		t.Parallel()
		now := dlAt(dlDay)
		named, anonymous := CaseDeadlines(orig, nil, PolicyHistory{}, now), CaseDeadlines(d, nil, PolicyHistory{}, now)
		require.Len(t, anonymous, len(named))
		for i := range named {
			assert.Equal(t, named[i].Kind, anonymous[i].Kind)
			assert.Equal(t, named[i].Status, anonymous[i].Status)
			assert.Equal(t, named[i].DueAt, anonymous[i].DueAt)
			assert.Equal(t, named[i].MetAt, anonymous[i].MetAt)
		}
	})
}

// TestCaseFactsFoldIsIncremental folds random histories in one go, and in
// two halves with a JSON snapshot of the facts between them (as a read
// model keeps them), at every split: the facts, their de-identified copy
// and the deadlines must be the same.
func TestCaseFactsFoldIsIncremental(t *testing.T) {
	t.Parallel()
	histories := cfRandomHistories(t, 40)
	now := caseReceived.Add(400 * 24 * time.Hour)
	literal := 0
	for n, h := range histories {
		whole := FoldCase(h)
		wholeJSON := cfJSON(t, whole)
		wholeDeadlines := cfJSON(t, CaseDeadlines(whole, nil, PolicyHistory{}, now))
		anonymous := cfJSON(t, whole.Deidentified())
		opened := slices.IndexFunc(h, func(r Recorded) bool { _, ok := r.Event.(ReportReceived); return ok })
		for k := 0; k <= len(h); k++ {
			var first CaseFacts
			for _, r := range h[:k] {
				first.Apply(r)
			}

			// In memory, event by event.
			inMemory := first.Clone()
			for _, r := range h[k:] {
				inMemory.Apply(r)
			}
			require.Equal(t, whole, inMemory, "history %d split at %d, in memory", n, k)

			// Through a JSON snapshot.
			snap := cfSnapshot(t, first)
			for _, r := range h[k:] {
				snap.Apply(r)
			}
			require.JSONEq(t, wholeJSON, cfJSON(t, snap), "history %d split at %d, through JSON", n, k)
			require.JSONEq(t, wholeDeadlines, cfJSON(t, CaseDeadlines(snap, nil, PolicyHistory{}, now)), "history %d split at %d: deadlines", n, k)

			// De-identified, through a JSON snapshot.
			anon := cfSnapshot(t, first.Deidentified())
			for _, r := range h[k:] {
				anon.Apply(r)
			}
			require.JSONEq(t, anonymous, cfJSON(t, anon.Deidentified()), "history %d split at %d, de-identified", n, k)
			// Where the rest neither opens the case nor assigns it, no
			// name comes back: the de-identified fold is the de-identified facts.
			assigns := slices.ContainsFunc(h[k:], func(r Recorded) bool { _, ok := r.Event.(CaseAssigned); return ok })
			if opened >= 0 && k > opened && !assigns {
				literal++
				require.JSONEq(t, anonymous, cfJSON(t, anon), "history %d split at %d, de-identified without re-identifying", n, k)
			}
		}
	}
	assert.Positive(t, literal)
}

// TestCaseFactsAgreeWithARecount compares the fold of random histories
// with a plain recount of the rules of CaseFacts' doc.
func TestCaseFactsAgreeWithARecount(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for n, h := range cfRandomHistories(t, 80) {
		f := FoldCase(h)
		require.Equal(t, cfRecount(h), f, "history %d", n)
		if f.PoliceReportedAt != nil && len(f.Assignments) > 1 {
			seen["police and reassignment"]++
		}
		for _, r := range f.Referrals {
			if r.AnsweredAt != nil {
				seen["answered"]++
			}
		}
		if len(f.Closures) > 1 {
			seen["closed twice"]++
		}
		if !slices.IsSortedFunc(h, func(a, b Recorded) int { return a.OccurredAt.Compare(b.OccurredAt) }) {
			seen["back-dated"]++
		}
		seen["second report"] += cfCount[ReportReceived](h) - 1
	}
	for _, what := range []string{"police and reassignment", "answered", "closed twice", "back-dated", "second report"} {
		assert.Positive(t, seen[what], "the histories never had %s", what)
	}
}

func cfCount[E Event](h []Recorded) int {
	n := 0
	for _, r := range h {
		if _, ok := r.Event.(E); ok {
			n++
		}
	}
	return n
}

// cfRecount is what CaseFacts' doc says the facts of a history are,
// counted plainly: collect, then sort.
func cfRecount(h []Recorded) CaseFacts {
	var want CaseFacts
	if len(h) == 0 {
		return want
	}
	last := h[len(h)-1]
	want.Version, want.LastPosition = last.Version, last.Position
	for _, r := range h {
		if r.OccurredAt.After(want.Horizon) {
			want.Horizon = r.OccurredAt
		}
	}
	opened := slices.IndexFunc(h, func(r Recorded) bool { _, ok := r.Event.(ReportReceived); return ok })
	if opened < 0 {
		return want
	}
	report := h[opened].Event.(ReportReceived)
	want.ID, want.ChildID, want.Jurisdiction, want.Status = report.CaseID, report.ChildID, report.Jurisdiction, StatusOpen
	want.Source, want.Concerns, want.ReportedRisk, want.Risk = report.Source, slices.Clone(report.Concerns), report.Risk, report.Risk
	want.ReceivedAt, want.Receiver = h[opened].OccurredAt, h[opened].Actor

	var police, response []time.Time
	answers := map[string][]time.Time{}
	for _, r := range h[opened+1:] {
		at := r.OccurredAt
		switch e := r.Event.(type) {
		case ReportForwardedToPolice:
			police = append(police, at)
		case EmergencyResponseRecorded:
			response = append(response, at)
		case FollowUpRecorded:
			response = append(response, at)
			want.FollowUps = append(want.FollowUps, at)
		case AssessmentCompleted:
			response = append(response, at)
			want.Assessments = append(want.Assessments, at)
			if e.GuardianshipAssessment != "" {
				want.GuardianshipAssessments = append(want.GuardianshipAssessments, at)
			}
			if !e.Risk.IsZero() {
				want.Risk = e.Risk
			}
		case CaseAssigned:
			want.Assignee = e.WorkerID
			want.Assignments = append(want.Assignments, OwnerSpan{Owner: e.WorkerID, From: at})
		case ReferralMade:
			if !slices.ContainsFunc(want.Referrals, func(x Referral) bool { return x.ID == e.ReferralID }) {
				want.Referrals = append(want.Referrals, Referral{ID: e.ReferralID, Agency: e.Agency, Service: e.Service,
					Status: ReferralStatusPending, MadeAt: at})
			}
		case ReferralAccepted:
			cfRecountAnswer(&want, answers, e.ReferralID, ReferralStatusAccepted, at)
		case ReferralDeclined:
			cfRecountAnswer(&want, answers, e.ReferralID, ReferralStatusDeclined, at)
		case ReferralCompleted:
			cfRecountAnswer(&want, answers, e.ReferralID, ReferralStatusCompleted, at)
		case TemporaryGuardianshipStarted:
			want.Guardianships = append(want.Guardianships, TemporaryGuardianship{Active: true, Ground: e.Ground, Placement: e.Placement, StartedAt: at})
		case TemporaryGuardianshipEnded:
			if n := len(want.Guardianships); n > 0 && want.Guardianships[n-1].Active {
				want.Guardianships[n-1].Active, want.Guardianships[n-1].EndedAt = false, dlPtr(at)
			}
		case MajorIncidentDeclared:
			want.MajorIncidents = append(want.MajorIncidents, at)
		case CaseClosed:
			want.Status, want.ClosedAt, want.ClosureReason = StatusClosed, dlPtr(at), e.Reason
			want.Closures = append(want.Closures, Closure{At: at, Reason: e.Reason})
		case CaseReopened:
			if want.Status == StatusClosed {
				want.Reopenings = append(want.Reopenings, at)
			}
			want.Status, want.ClosedAt, want.ClosureReason = StatusOpen, nil, ClosureReason{}
		case PoliceAcknowledged:
			want.PoliceAcknowledgments = append(want.PoliceAcknowledgments, at)
		}
	}
	byTime := func(a, b time.Time) int { return a.Compare(b) }
	minOf := func(ts []time.Time) *time.Time {
		if len(ts) == 0 {
			return nil
		}
		return dlPtr(slices.MinFunc(ts, byTime))
	}
	want.PoliceReportedAt, want.FirstResponseAt = minOf(police), minOf(response)
	for i := range want.Referrals {
		want.Referrals[i].AnsweredAt = minOf(answers[want.Referrals[i].ID])
	}
	for _, ts := range []*[]time.Time{&want.Assessments, &want.GuardianshipAssessments, &want.FollowUps, &want.MajorIncidents,
		&want.Reopenings, &want.PoliceAcknowledgments} {
		slices.SortStableFunc(*ts, byTime)
	}
	slices.SortStableFunc(want.Assignments, func(a, b OwnerSpan) int { return a.From.Compare(b.From) })
	slices.SortStableFunc(want.Closures, func(a, b Closure) int { return a.At.Compare(b.At) })
	return want
}

func cfRecountAnswer(want *CaseFacts, answers map[string][]time.Time, id string, status ReferralStatus, at time.Time) {
	i := slices.IndexFunc(want.Referrals, func(x Referral) bool { return x.ID == id })
	if i < 0 {
		return
	}
	want.Referrals[i].Status = status
	answers[id] = append(answers[id], at)
}

// cfRandomHistories are stored histories of random cases: those the random
// walk of case_test.go gives (commands the rules accept, back-dated within
// three days), through the registry's encoding, with entries the rules
// would never decide but a fold must take: a second report, events before
// the report, a referral id made again, answers to unknown referrals and
// ends of temporary guardianship none is active.
func cfRandomHistories(t *testing.T, n int) [][]Recorded {
	t.Helper()
	rng := rand.New(rand.NewPCG(20250303, 77))
	accepted := map[string]int{}
	out := make([][]Recorded, 0, n)
	for i := range n {
		w := newCaseWalk(t, rng, 1000+i, accepted)
		for range 30 {
			w.step()
		}
		changes := slices.Clone(w.all)
		base := changes[0].OccurredAt
		someTime := func() time.Time { return base.Add(time.Duration(rng.IntN(7*24*60)-3*24*60) * time.Minute) }
		insert := func(e Event, by Actor) {
			at := 1 + rng.IntN(len(changes))
			changes = slices.Insert(changes, at, Change{Event: e, Actor: by, OccurredAt: someTime()})
		}
		if rng.IntN(3) == 0 {
			second := cfSecondReport()
			second.CaseID = w.live.ID()
			insert(second, cfOtherCW)
		}
		if rng.IntN(4) == 0 {
			insert(cfMade("r-0", cfJustice, cfLegalAid), caseCW.Actor)
		}
		if rng.IntN(4) == 0 {
			insert(casePick(rng, []Event{ReferralAccepted{ReferralID: "r-ghost"}, ReferralDeclined{ReferralID: "r-ghost", Reason: "x"},
				ReferralCompleted{ReferralID: "r-ghost"}}), caseCW.Actor)
		}
		if rng.IntN(5) == 0 {
			insert(TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily}, caseCW.Actor)
		}
		if rng.IntN(4) == 0 {
			pre := []Change{
				{Event: cfForward("before"), Actor: caseCW.Actor, OccurredAt: someTime()},
				{Event: CaseAssigned{WorkerID: "cw-before"}, Actor: caseCW.Actor, OccurredAt: someTime()},
				{Event: CaseClosed{Reason: cfResolved}, Actor: caseCW.Actor, OccurredAt: someTime()},
			}
			changes = append(pre[:1+rng.IntN(len(pre))], changes...)
		}
		out = append(out, throughJSON(t, storedAs(CaseStream(w.live.ID()), changes...)))
	}
	return out
}

// cfRichHistory is a case whose facts have every slice and pointer set.
func cfRichHistory() *dlStream {
	return dlCase(RiskHigh, "neglect", "abuse").
		at(dlAt(30*time.Minute), cfForward("派出所")).
		at(dlAt(time.Hour), EmergencyResponseRecorded{Action: "placed with kin"}).
		at(dlAt(2*time.Hour), CaseAssigned{WorkerID: "cw-1"}).
		at(dlAt(3*time.Hour), AssessmentCompleted{Risk: RiskMedium, GuardianshipAssessment: "grandmother frail"}).
		at(dlAt(4*time.Hour), FollowUpRecorded{Note: "n"}).
		at(dlAt(5*time.Hour), cfMade("r1", cfEducation, cfSchool)).
		at(dlAt(6*time.Hour), ReferralAccepted{ReferralID: "r1"}).
		at(dlAt(7*time.Hour), TemporaryGuardianshipStarted{Ground: cfGround, Placement: cfCenter}).
		at(dlAt(8*time.Hour), TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily}).
		at(dlAt(9*time.Hour), MajorIncidentDeclared{Description: "d"}).
		at(dlAt(10*time.Hour), ReferralCompleted{ReferralID: "r1"}).
		at(dlAt(90*time.Minute), PoliceAcknowledged{Action: "出警"}).
		at(dlAt(11*time.Hour), CaseClosed{Reason: ClosureReturnedToFamily}).
		at(dlAt(12*time.Hour), CaseReopened{Reason: "r"}).
		at(dlAt(13*time.Hour), CaseClosed{Reason: ClosureReturnedToFamily})
}

// cfRequireFilled requires every slice and pointer field of the struct v
// to be set, so that a test of sharing covers them all (a field added
// later must be added to the fixture too).
func cfRequireFilled(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		field := rv.Field(i)
		switch field.Kind() {
		case reflect.Pointer:
			require.False(t, field.IsNil(), "the fixture leaves %s nil", rv.Type().Field(i).Name)
		case reflect.Slice:
			require.Positive(t, field.Len(), "the fixture leaves %s empty", rv.Type().Field(i).Name)
		}
	}
}

var cfTimeType = reflect.TypeFor[time.Time]()

// cfScribble overwrites whatever the struct v (addressable) reaches
// through its slices and pointers, and nothing else: what a copy that
// shares nothing may do without touching its original.
func cfScribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice:
		cfScribbleValue(v)
	case reflect.Struct:
		if v.Type() == cfTimeType {
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				cfScribble(v.Field(i))
			}
		}
	}
}

// cfScribbleValue changes the settable value v and all it reaches.
func cfScribbleValue(v reflect.Value) {
	switch {
	case v.Type() == cfTimeType:
		v.Set(reflect.ValueOf(time.Unix(1, 0)))
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			cfScribbleValue(v.Elem())
		}
	case v.Kind() == reflect.Slice:
		for i := range v.Len() {
			cfScribbleValue(v.Index(i))
		}
	case v.Kind() == reflect.String:
		v.SetString(v.String() + "~")
	case v.Kind() == reflect.Bool:
		v.SetBool(!v.Bool())
	case v.Kind() == reflect.Int, v.Kind() == reflect.Int64:
		v.SetInt(v.Int() + 1)
	case v.Kind() == reflect.Struct:
		settable := false
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				settable = true
				cfScribbleValue(v.Field(i))
			}
		}
		if !settable { // a vocabulary term: no longer the word it was
			v.Set(reflect.Zero(v.Type()))
		}
	default:
		panic(fmt.Sprintf("cfScribbleValue: %s", v.Type()))
	}
}

func TestOwnerAt(t *testing.T) {
	t.Parallel()
	spans := []OwnerSpan{{"caseworker:370902", dlT0}, {"cw-1", dlAt(10 * time.Hour)}, {"cw-2", dlAt(2 * dlDay)}}
	for _, tc := range []struct {
		name  string
		spans []OwnerSpan
		at    time.Time
		want  string
	}{
		{"before the first span: no one", spans, dlT0.Add(-time.Nanosecond), ""},
		{"long before", spans, dlT0.AddDate(-1, 0, 0), ""},
		{"at the first span", spans, dlT0, "caseworker:370902"},
		{"within the first span", spans, dlAt(5 * time.Hour), "caseworker:370902"},
		{"just before a boundary: the one handing over", spans, dlAt(10*time.Hour - time.Nanosecond), "caseworker:370902"},
		{"at a boundary: the one taking over", spans, dlAt(10 * time.Hour), "cw-1"},
		{"between", spans, dlAt(dlDay), "cw-1"},
		{"at the last boundary", spans, dlAt(2 * dlDay), "cw-2"},
		{"after the last span began: its owner", spans, dlAt(400 * dlDay), "cw-2"},
		{"the same instant in another zone", spans, dlAt(10 * time.Hour).UTC(), "cw-1"},
		{"no spans: no one", nil, dlAt(dlDay), ""},
		{"one span, after it", spans[:1], dlAt(3 * dlDay), "caseworker:370902"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, OwnerAt(tc.spans, tc.at))
		})
	}

	t.Run("a deadline without an ownership history: its owner", func(t *testing.T) {
		t.Parallel()
		d := Deadline{Owner: "agency:education"}
		assert.Equal(t, "agency:education", d.OwnerAt(dlT0.AddDate(-1, 0, 0)))
		d.Owners = spans
		assert.Equal(t, "", d.OwnerAt(dlT0.AddDate(-1, 0, 0)), "with one, by it")
		assert.Equal(t, "cw-1", d.OwnerAt(dlAt(dlDay)))
	})
}

func TestLateEntryThreshold(t *testing.T) {
	t.Parallel()
	strict := DefaultPolicy()
	strict.LateEntry = Hours(24)
	changed := dlAt(15 * dlDay)
	policies := dlPolicies(dlChange{changed, strict})
	entry := func(occurred, recorded time.Time) Recorded {
		return Recorded{Version: 1, Event: FollowUpRecorded{Note: "n"}, OccurredAt: occurred, RecordedAt: recorded}
	}
	for _, tc := range []struct {
		name      string
		policies  PolicyHistory
		occurred  time.Time
		delay     time.Duration
		late      bool
		threshold time.Duration
	}{
		{"recorded as it happened", PolicyHistory{}, dlT0, 0, false, 72 * time.Hour},
		{"recorded exactly at the threshold", PolicyHistory{}, dlT0, 72 * time.Hour, false, 72 * time.Hour},
		{"recorded a nanosecond past the threshold", PolicyHistory{}, dlT0, 72*time.Hour + time.Nanosecond, true, 72 * time.Hour},
		{"recorded ten days later", PolicyHistory{}, dlT0, 10 * dlDay, true, 72 * time.Hour},
		{"recorded before it happened (clock skew)", PolicyHistory{}, dlT0, -time.Minute, false, 72 * time.Hour},
		{"before a stricter policy: the rule of its time", policies, changed.Add(-time.Hour), 48 * time.Hour, false, 72 * time.Hour},
		{"under the stricter policy, exactly at it", policies, changed, 24 * time.Hour, false, 24 * time.Hour},
		{"under the stricter policy, past it", policies, changed, 24*time.Hour + time.Second, true, 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			late, delay, threshold := LateEntry(entry(tc.occurred, tc.occurred.Add(tc.delay)), tc.policies)
			assert.Equal(t, tc.late, late)
			assert.Equal(t, tc.delay, delay)
			assert.Equal(t, tc.threshold, threshold)
		})
	}
}

// TestCaseFactsAtMostTheLastGuardianshipIsActive: CaseFacts' doc says of
// Guardianships "at most the last is active". The rules never start a
// temporary guardianship while one is active, but the fold takes any
// stream (a loader may append without them), and it never fails.
func TestCaseFactsAtMostTheLastGuardianshipIsActive(t *testing.T) {
	t.Parallel()
	started := TemporaryGuardianshipStarted{Ground: cfGround, Placement: cfCenter}
	f := FoldCase(dlCase(RiskHigh, "abuse").at(dlAt(time.Hour), started).at(dlAt(2*time.Hour), started).
		at(dlAt(3*time.Hour), TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily}).all())
	for i, g := range f.Guardianships[:len(f.Guardianships)-1] {
		assert.False(t, g.Active, "guardianship %d of %d is active", i+1, len(f.Guardianships))
	}
	assert.False(t, f.GuardianshipActive())
}

// TestCaseFactsGuardianshipAssessmentSurvivesErasure: once the child's key
// is destroyed the assessment's text reads empty; the flag beside it keeps
// the guardianship assessment clock as it was.
func TestCaseFactsGuardianshipAssessmentSurvivesErasure(t *testing.T) {
	t.Parallel()
	started := TemporaryGuardianshipStarted{Ground: cfGround, Placement: cfCenter}
	before := dlCase(RiskHigh, "abuse").at(dlAt(time.Hour), started).
		at(dlAt(2*dlDay), AssessmentCompleted{Risk: RiskHigh, GuardianshipAssessment: "外婆年迈", GuardianshipAssessed: true})
	erased := dlCase(RiskHigh, "abuse").at(dlAt(time.Hour), started).
		at(dlAt(2*dlDay), AssessmentCompleted{Risk: RiskHigh, GuardianshipAssessed: true})
	assert.Equal(t, []time.Time{dlAt(2 * dlDay)}, FoldCase(erased.all()).GuardianshipAssessments)
	assert.Equal(t, CaseDeadlines(FoldCase(before.all()), nil, PolicyHistory{}, dlAt(40*dlDay)),
		CaseDeadlines(FoldCase(erased.all()), nil, PolicyHistory{}, dlAt(40*dlDay)))
}
