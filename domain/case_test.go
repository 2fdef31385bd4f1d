package domain

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The case's world: a child of a village of Taishan district (370902), a
// report received on 1 March 2024, acts that happened a day later and are
// recorded two days later.
var (
	casePlace    = mustPlace("370902101201")
	caseChild    = CaseChild{ID: "child-1", Jurisdiction: casePlace, BirthDate: NewDate(2014, time.May, 6)}
	caseReceived = time.Date(2024, time.March, 1, 9, 0, 0, 0, ChinaStandardTime)
	caseAt       = caseReceived.Add(24 * time.Hour)
	caseNow      = caseReceived.Add(48 * time.Hour)

	caseCW        = acting(RoleCaseworker, "cw-1", "370902")
	caseDirector  = acting(RoleChildDirector, "dir-1", "370902101201")
	caseInspector = acting(RoleInspector, "insp-1", "370902")

	caseEducation      = term[agencyWords]("education")
	casePolice         = term[agencyWords]("police")
	caseReturnToSchool = term[serviceWords]("return_to_school")
	caseGround         = term[groundWords]("guardian_missing")
	caseCenter         = term[placementWords]("center")
	caseResolved       = term[closureReasonWords]("resolved")
	caseLivingAlone    = term[concernWords]("living_alone")
	caseNeglect        = term[concernWords]("neglect")

	caseMade      = ReferralMade{ReferralID: "r-1", Agency: caseEducation, Service: caseReturnToSchool, Note: "back to grade 4"}
	caseAccepted  = ReferralAccepted{ReferralID: "r-1"}
	caseCompleted = ReferralCompleted{ReferralID: "r-1"}
	caseDeclined  = ReferralDeclined{ReferralID: "r-1", Reason: "no place"}
	caseTGStarted = TemporaryGuardianshipStarted{Ground: caseGround, Placement: caseCenter}
	caseTGEnded   = TemporaryGuardianshipEnded{Outcome: OutcomeReturnedToFamily}
	caseClosed    = CaseClosed{Reason: caseResolved}
)

// casePartner is the liaison of an agency.
func casePartner(agency Agency) Principal {
	p := acting(RolePartner, "partner-"+agency.String(), "370902")
	p.Agency = agency
	return p
}

// caseInput is a report that ReceiveReport accepts; it gives caseReport.
func caseInput() ReportInput {
	return ReportInput{
		CaseID:     "case-1",
		Source:     term[sourceWords]("hotline_12355"),
		Reporter:   Reporter{Type: term[reporterWords]("neighbour"), Name: " 王大姐 ", Phone: "13800000000"},
		Concerns:   []Concern{caseLivingAlone, caseNeglect},
		Risk:       RiskHigh,
		ReceivedAt: caseReceived,
		Summary:    "  孩子独自在家三天，父母在外务工。 ",
	}
}

func caseReport() ReportReceived {
	return ReportReceived{
		CaseID: "case-1", ChildID: "child-1", Jurisdiction: casePlace,
		Source:   term[sourceWords]("hotline_12355"),
		Reporter: Reporter{Type: term[reporterWords]("neighbour"), Name: "王大姐", Phone: "13800000000"},
		Concerns: []Concern{caseLivingAlone, caseNeglect},
		Risk:     RiskHigh,
		Summary:  "孩子独自在家三天，父母在外务工。",
	}
}

// caseGiven is the stored history of case-1: the report, received at
// caseReceived, then events one minute apart, all by caseCW.
func caseGiven(events ...Event) []Recorded {
	changes := []Change{{Event: caseReport(), Actor: caseCW.Actor, OccurredAt: caseReceived}}
	for i, e := range events {
		changes = append(changes, Change{Event: e, Actor: caseCW.Actor, OccurredAt: caseReceived.Add(time.Duration(i+1) * time.Minute)})
	}
	return storedAs(CaseStream("case-1"), changes...)
}

func caseEvents(changes []Change) []Event {
	out := make([]Event, len(changes))
	for i, c := range changes {
		out[i] = c.Event
	}
	return out
}

// caseSpec is one given/when/then: given these events after the report,
// when this command, then these events, or a failure.
type caseSpec struct {
	name  string
	given []Event
	when  func(c *Case) error
	then  []Event
	fail  func(t *testing.T, err error)
}

func caseFailsRule(rule string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); thenRule(t, err, rule) }
}

func caseFailsInvalid(field string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); thenInvalid(t, err, field) }
}

func caseFailsImpossible(field string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); thenImpossible(t, err, field) }
}

func caseFailsForbidden(t *testing.T, err error) { t.Helper(); thenForbidden(t, err) }

func runCaseSpecs(t *testing.T, specs []caseSpec) {
	t.Helper()
	for _, s := range specs {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			history := caseGiven(s.given...)
			c := LoadCase(caseChild, history)
			err := s.when(c)
			if s.fail != nil {
				require.Error(t, err)
				s.fail(t, err)
				assert.Empty(t, c.Changes(), "a refused command records nothing")
				assert.Equal(t, LoadCase(caseChild, history), c, "a refused command changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, s.then, caseEvents(c.Changes()))
			assert.Equal(t, int64(len(history)), c.Version(), "changes not yet stored leave the version")
		})
	}
}

// caseCommand is one command of the case with what makes it acceptable.
type caseCommand struct {
	name     string
	roles    []Role  // roles that may give it
	partner  bool    // a partner of the referral's agency may give it too
	given    []Event // what makes it acceptable on an open case
	timed    bool    // takes a business time (else it happens now)
	onClosed bool    // accepted on a closed case
	do       func(c *Case, by Principal, at time.Time) error
	event    Event
}

func caseCommands() []caseCommand {
	actors := []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker}
	cw := []Role{RoleCaseworker}
	return []caseCommand{
		{name: "forward to police", roles: actors, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.ForwardToPolice(by, caseNow, at, " 泰山区公安分局 ", "JJ-1")
			},
			event: ReportForwardedToPolice{PoliceUnit: "泰山区公安分局", Reference: "JJ-1"}},
		{name: "emergency response", roles: actors, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.RecordEmergencyResponse(by, caseNow, at, "placed with grandmother", "")
			},
			event: EmergencyResponseRecorded{Action: "placed with grandmother"}},
		{name: "assign", roles: cw,
			do:    func(c *Case, by Principal, _ time.Time) error { return c.Assign(by, caseNow, " cw-2 ") },
			event: CaseAssigned{WorkerID: "cw-2"}},
		{name: "assessment", roles: cw, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.CompleteAssessment(by, caseNow, at, RiskMedium, []string{" schooling ", "counselling"}, "grandmother able")
			},
			event: AssessmentCompleted{Risk: RiskMedium, Needs: []string{"schooling", "counselling"}, GuardianshipAssessment: "grandmother able", GuardianshipAssessed: true}},
		{name: "conference", roles: cw, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.HoldConference(by, caseNow, at, []Agency{caseEducation, casePolice}, "back to school")
			},
			event: CaseConferenceHeld{Agencies: []Agency{caseEducation, casePolice}, Decisions: "back to school"}},
		{name: "make referral", roles: cw,
			do: func(c *Case, by Principal, _ time.Time) error {
				return c.MakeReferral(by, caseNow, "r-2", caseEducation, caseReturnToSchool, "grade 4")
			},
			event: ReferralMade{ReferralID: "r-2", Agency: caseEducation, Service: caseReturnToSchool, Note: "grade 4"}},
		{name: "accept referral", roles: cw, partner: true, given: []Event{caseMade}, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.AcceptReferral(by, caseNow, at, "r-1", "")
			},
			event: ReferralAccepted{ReferralID: "r-1"}},
		{name: "decline referral", roles: cw, partner: true, given: []Event{caseMade},
			do: func(c *Case, by Principal, _ time.Time) error {
				return c.DeclineReferral(by, caseNow, "r-1", " no place ")
			},
			event: ReferralDeclined{ReferralID: "r-1", Reason: "no place"}},
		{name: "complete referral", roles: cw, partner: true, given: []Event{caseMade, caseAccepted}, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.CompleteReferral(by, caseNow, at, "r-1", "back at school")
			},
			event: ReferralCompleted{ReferralID: "r-1", Note: "back at school"}},
		{name: "start temporary guardianship", roles: cw, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.StartTemporaryGuardianship(by, caseNow, at, caseGround, caseCenter)
			},
			event: caseTGStarted},
		{name: "end temporary guardianship", roles: cw, given: []Event{caseTGStarted}, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.EndTemporaryGuardianship(by, caseNow, at, OutcomeReturnedToFamily)
			},
			event: caseTGEnded},
		{name: "intervention", roles: cw, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.RecordIntervention(by, caseNow, at, "warning and education of the father", "")
			},
			event: GuardianshipInterventionRecorded{Measure: "warning and education of the father"}},
		{name: "follow-up", roles: actors, timed: true, onClosed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.RecordFollowUp(by, caseNow, at, "child at school", "visit")
			},
			event: FollowUpRecorded{Note: "child at school", Method: "visit"}},
		{name: "major incident", roles: []Role{RoleCaseworker, RoleInspector}, timed: true, onClosed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.DeclareMajorIncident(by, caseNow, at, "child found injured")
			},
			event: MajorIncidentDeclared{Description: "child found injured"}},
		{name: "close", roles: cw, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.Close(by, caseNow, at, caseResolved)
			},
			event: caseClosed},
		{name: "reopen", roles: cw, given: []Event{caseClosed}, onClosed: true,
			do:    func(c *Case, by Principal, _ time.Time) error { return c.Reopen(by, caseNow, "new report") },
			event: CaseReopened{Reason: "new report"}},
		{name: "transfer", roles: cw, timed: true,
			do: func(c *Case, by Principal, at time.Time) error {
				return c.Transfer(by, caseNow, at, mustPlace("370911101201"), "随母迁居")
			},
			event: CaseTransferred{From: casePlace, Jurisdiction: mustPlace("370911101201"), Reason: "随母迁居"}},
	}
}

func TestCaseReceiveReport(t *testing.T) {
	t.Parallel()
	c, err := ReceiveReport(caseDirector, caseReceived.Add(time.Minute), caseChild, caseInput())
	require.NoError(t, err)
	assert.Equal(t, []Change{{Event: caseReport(), Actor: caseDirector.Actor, OccurredAt: caseReceived}}, c.Changes())
	assert.Equal(t, "case-1", c.ID())
	assert.Equal(t, "child-1", c.ChildID())
	assert.Equal(t, casePlace, c.Jurisdiction())
	assert.Equal(t, int64(0), c.Version(), "nothing is stored yet")
	assert.Equal(t, StatusOpen, c.Status())
	assert.Equal(t, term[sourceWords]("hotline_12355"), c.Source())
	assert.Equal(t, []Concern{caseLivingAlone, caseNeglect}, c.Concerns())
	assert.Equal(t, RiskHigh, c.Risk())
	assert.Equal(t, caseReceived, c.ReceivedAt())
	assert.Equal(t, caseDirector.Actor, c.Receiver())
	assert.Empty(t, c.Assignee())
	assert.Empty(t, c.Referrals())
	assert.Nil(t, c.Guardianship())
	assert.False(t, c.MajorIncident())
	assert.False(t, c.PoliceReported())
}

func TestCaseReceiveReportRoles(t *testing.T) {
	t.Parallel()
	for _, role := range everyRole {
		t.Run(role.String(), func(t *testing.T) {
			t.Parallel()
			by := acting(role, "someone", "370902")
			by.Agency = caseEducation
			c, err := ReceiveReport(by, caseNow, caseChild, caseInput())
			if role == RoleChildDirector || role == RoleChildSupervisor || role == RoleCaseworker {
				require.NoError(t, err)
				assert.Len(t, c.Changes(), 1)
				return
			}
			thenForbidden(t, err)
			assert.Nil(t, c)
		})
	}
	t.Run("no subject", func(t *testing.T) {
		t.Parallel()
		_, err := ReceiveReport(acting(RoleCaseworker, "", "370902"), caseNow, caseChild, caseInput())
		thenForbidden(t, err)
	})
}

func TestCaseReceiveReportValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(in *ReportInput, child *CaseChild)
		fail  func(*testing.T, error)
		after func(t *testing.T, c *Case) // for accepted variants
	}{
		{name: "no case id", edit: func(in *ReportInput, _ *CaseChild) { in.CaseID = " " }, fail: caseFailsInvalid("case_id")},
		{name: "no child id", edit: func(_ *ReportInput, ch *CaseChild) { ch.ID = "" }, fail: caseFailsInvalid("child_id")},
		{name: "child without a place", edit: func(_ *ReportInput, ch *CaseChild) { ch.Jurisdiction = mustPlace("370902") }, fail: caseFailsInvalid("jurisdiction")},
		{name: "no source", edit: func(in *ReportInput, _ *CaseChild) { in.Source = Source{} }, fail: caseFailsInvalid("source")},
		{name: "no reporter type", edit: func(in *ReportInput, _ *CaseChild) { in.Reporter.Type = ReporterType{} }, fail: caseFailsInvalid("reporter.type")},
		{name: "reporter name too long", edit: func(in *ReportInput, _ *CaseChild) { in.Reporter.Name = strings.Repeat("名", MaxNameRunes+1) }, fail: caseFailsInvalid("reporter.name")},
		{name: "reporter phone not a number", edit: func(in *ReportInput, _ *CaseChild) { in.Reporter.Phone = "call me" }, fail: caseFailsInvalid("reporter.phone")},
		{name: "no concern", edit: func(in *ReportInput, _ *CaseChild) { in.Concerns = nil }, fail: caseFailsInvalid("concerns")},
		{name: "empty concern", edit: func(in *ReportInput, _ *CaseChild) { in.Concerns = []Concern{{}} }, fail: caseFailsInvalid("concerns")},
		{name: "concern twice", edit: func(in *ReportInput, _ *CaseChild) {
			in.Concerns = []Concern{caseNeglect, caseLivingAlone, caseNeglect}
		}, fail: caseFailsInvalid("concerns")},
		{name: "no risk", edit: func(in *ReportInput, _ *CaseChild) { in.Risk = Risk{} }, fail: caseFailsInvalid("risk")},
		{name: "blank summary", edit: func(in *ReportInput, _ *CaseChild) { in.Summary = " \n\t " }, fail: caseFailsInvalid("summary")},
		{name: "summary too long", edit: func(in *ReportInput, _ *CaseChild) { in.Summary = strings.Repeat("字", 8001) }, fail: caseFailsInvalid("summary")},
		{name: "summary not UTF-8", edit: func(in *ReportInput, _ *CaseChild) { in.Summary = "\xff" }, fail: caseFailsInvalid("summary")},
		{name: "no received_at", edit: func(in *ReportInput, _ *CaseChild) { in.ReceivedAt = time.Time{} }, fail: caseFailsInvalid("received_at")},
		{name: "received in the future", edit: func(in *ReportInput, _ *CaseChild) { in.ReceivedAt = caseNow.Add(ClockSkew + time.Second) }, fail: caseFailsImpossible("received_at")},
		{name: "received before the child's birth", edit: func(in *ReportInput, _ *CaseChild) {
			in.ReceivedAt = caseChild.BirthDate.Start().Add(-time.Second)
		}, fail: caseFailsImpossible("received_at")},
		{name: "received within the clock skew", edit: func(in *ReportInput, _ *CaseChild) { in.ReceivedAt = caseNow.Add(ClockSkew) },
			after: func(t *testing.T, c *Case) { assert.Equal(t, caseNow.Add(ClockSkew), c.ReceivedAt()) }},
		{name: "summary of 8000 characters", edit: func(in *ReportInput, _ *CaseChild) { in.Summary = strings.Repeat("字", 8000) },
			after: func(t *testing.T, c *Case) { assert.Len(t, []rune(c.Summary()), 8000) }},
		{name: "anonymous reporter", edit: func(in *ReportInput, _ *CaseChild) {
			in.Reporter = Reporter{Type: term[reporterWords]("anonymous")}
		}, after: func(t *testing.T, c *Case) {
			assert.Equal(t, Reporter{Type: term[reporterWords]("anonymous")}, c.Reporter())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, child := caseInput(), caseChild
			tc.edit(&in, &child)
			c, err := ReceiveReport(caseCW, caseNow, child, in)
			if tc.fail != nil {
				require.Error(t, err)
				tc.fail(t, err)
				assert.Nil(t, c)
				return
			}
			require.NoError(t, err)
			tc.after(t, c)
		})
	}
}

func TestCaseCommandRoles(t *testing.T) {
	t.Parallel()
	for _, cmd := range caseCommands() {
		for _, role := range everyRole {
			t.Run(cmd.name+"/"+role.String(), func(t *testing.T) {
				t.Parallel()
				by := acting(role, "p-1", "370902")
				by.Agency = caseEducation // the referral's agency, for a partner
				c := LoadCase(caseChild, caseGiven(cmd.given...))
				err := cmd.do(c, by, caseAt)
				if !slices.Contains(cmd.roles, role) && !(cmd.partner && role == RolePartner) {
					thenForbidden(t, err)
					assert.Empty(t, c.Changes())
					return
				}
				require.NoError(t, err)
				at := caseNow
				if cmd.timed {
					at = caseAt
				}
				assert.Equal(t, []Change{{Event: cmd.event, Actor: by.Actor, OccurredAt: at}}, c.Changes())
			})
		}
		t.Run(cmd.name+"/no subject", func(t *testing.T) {
			t.Parallel()
			c := LoadCase(caseChild, caseGiven(cmd.given...))
			thenForbidden(t, cmd.do(c, acting(RoleCaseworker, "", "370902"), caseAt))
		})
		if cmd.partner {
			t.Run(cmd.name+"/partner of another agency", func(t *testing.T) {
				t.Parallel()
				c := LoadCase(caseChild, caseGiven(cmd.given...))
				thenForbidden(t, cmd.do(c, casePartner(casePolice), caseAt))
				assert.Empty(t, c.Changes())
			})
			t.Run(cmd.name+"/partner without agency", func(t *testing.T) {
				t.Parallel()
				c := LoadCase(caseChild, caseGiven(cmd.given...))
				thenForbidden(t, cmd.do(c, acting(RolePartner, "p-1", "370902"), caseAt))
			})
		}
	}
}

func TestCaseClosedAcceptsOnlyFollowUpsMajorIncidentsAndReopening(t *testing.T) {
	t.Parallel()
	closed := caseGiven(caseMade, caseAccepted, caseCompleted, caseTGStarted, caseTGEnded, caseClosed)
	for _, cmd := range caseCommands() {
		t.Run(cmd.name, func(t *testing.T) {
			t.Parallel()
			c := LoadCase(caseChild, closed)
			err := cmd.do(c, caseCW, caseAt)
			if cmd.onClosed {
				require.NoError(t, err)
				assert.Equal(t, []Event{cmd.event}, caseEvents(c.Changes()))
				return
			}
			thenRule(t, err, RuleCaseClosed)
			assert.Empty(t, c.Changes())
		})
	}
}

func TestCaseCommandsNeedAnOpenedCase(t *testing.T) {
	t.Parallel()
	for _, cmd := range caseCommands() {
		t.Run(cmd.name, func(t *testing.T) {
			t.Parallel()
			c := LoadCase(caseChild, nil)
			thenRule(t, cmd.do(c, caseCW, caseAt), RuleNoCase)
			assert.Empty(t, c.Changes())
		})
	}
}

func TestCaseOccurredAt(t *testing.T) {
	t.Parallel()
	for _, cmd := range caseCommands() {
		if !cmd.timed {
			continue
		}
		latest := caseReceived.Add(time.Duration(len(cmd.given)) * time.Minute) // the last given event
		tests := []struct {
			name string
			at   time.Time
			fail func(*testing.T, error)
		}{
			{"missing", time.Time{}, caseFailsInvalid("occurred_at")},
			{"in the future", caseNow.Add(ClockSkew + time.Second), caseFailsImpossible("occurred_at")},
			{"before the child's birth", caseChild.BirthDate.Start().Add(-time.Hour), caseFailsImpossible("occurred_at")},
			{"before the report was received", caseReceived.Add(-time.Second), caseFailsImpossible("occurred_at")},
			{"within the clock skew", caseNow.Add(ClockSkew), nil},
			{"with the latest given event", latest, nil},
		}
		for _, tc := range tests {
			t.Run(cmd.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				c := LoadCase(caseChild, caseGiven(cmd.given...))
				err := cmd.do(c, caseCW, tc.at)
				if tc.fail != nil {
					require.Error(t, err)
					tc.fail(t, err)
					assert.Empty(t, c.Changes())
					return
				}
				require.NoError(t, err)
				assert.Equal(t, []Change{{Event: cmd.event, Actor: caseCW.Actor, OccurredAt: tc.at}}, c.Changes())
			})
		}
	}
}

func TestCaseClosure(t *testing.T) {
	t.Parallel()
	closeNow := func(c *Case) error { return c.Close(caseCW, caseNow, caseAt, caseResolved) }
	runCaseSpecs(t, []caseSpec{
		{name: "an open case closes", when: closeNow, then: []Event{caseClosed}},
		{name: "not with active temporary guardianship", given: []Event{caseTGStarted}, when: closeNow, fail: caseFailsRule(RuleGuardianshipActive)},
		{name: "after temporary guardianship ended", given: []Event{caseTGStarted, caseTGEnded}, when: closeNow, then: []Event{caseClosed}},
		{name: "not with a pending referral", given: []Event{caseMade}, when: closeNow, fail: caseFailsRule(RuleReferralPending)},
		{name: "not with an accepted referral not completed", given: []Event{caseMade, caseAccepted}, when: closeNow, fail: caseFailsRule(RuleReferralPending)},
		{name: "with a declined referral", given: []Event{caseMade, caseDeclined}, when: closeNow, then: []Event{caseClosed}},
		{name: "with a completed referral", given: []Event{caseMade, caseAccepted, caseCompleted}, when: closeNow, then: []Event{caseClosed}},
		{name: "not twice", given: []Event{caseClosed}, when: closeNow, fail: caseFailsRule(RuleCaseClosed)},
		{name: "a reason is required", when: func(c *Case) error { return c.Close(caseCW, caseNow, caseAt, ClosureReason{}) }, fail: caseFailsInvalid("reason")},
		{name: "reopening a closed case", given: []Event{caseClosed},
			when: func(c *Case) error { return c.Reopen(caseCW, caseNow, " 再次报告 ") }, then: []Event{CaseReopened{Reason: "再次报告"}}},
		{name: "reopening an open case", when: func(c *Case) error { return c.Reopen(caseCW, caseNow, "again") }, fail: caseFailsRule(RuleCaseOpen)},
		{name: "reopening a reopened case", given: []Event{caseClosed, CaseReopened{Reason: "x"}},
			when: func(c *Case) error { return c.Reopen(caseCW, caseNow, "again") }, fail: caseFailsRule(RuleCaseOpen)},
		{name: "reopening needs a reason", given: []Event{caseClosed}, when: func(c *Case) error { return c.Reopen(caseCW, caseNow, "  ") }, fail: caseFailsInvalid("reason")},
		{name: "closing again after reopening", given: []Event{caseClosed, CaseReopened{Reason: "x"}}, when: closeNow, then: []Event{caseClosed}},
		{name: "a follow-up after closure", given: []Event{caseClosed},
			when: func(c *Case) error { return c.RecordFollowUp(caseDirector, caseNow, caseAt, "home visit", "") },
			then: []Event{FollowUpRecorded{Note: "home visit"}}},
	})
}

func TestCaseTemporaryGuardianship(t *testing.T) {
	t.Parallel()
	start := func(c *Case) error {
		return c.StartTemporaryGuardianship(caseCW, caseNow, caseAt, caseGround, caseCenter)
	}
	end := func(c *Case) error {
		return c.EndTemporaryGuardianship(caseCW, caseNow, caseAt, OutcomeReturnedToFamily)
	}
	runCaseSpecs(t, []caseSpec{
		{name: "starts", when: start, then: []Event{caseTGStarted}},
		{name: "not while active", given: []Event{caseTGStarted}, when: start, fail: caseFailsRule(RuleGuardianshipActive)},
		{name: "again after it ended", given: []Event{caseTGStarted, caseTGEnded}, when: start, then: []Event{caseTGStarted}},
		{name: "ends", given: []Event{caseTGStarted}, when: end, then: []Event{caseTGEnded}},
		{name: "no end without start", when: end, fail: caseFailsRule(RuleNoGuardianship)},
		{name: "no end twice", given: []Event{caseTGStarted, caseTGEnded}, when: end, fail: caseFailsRule(RuleNoGuardianship)},
		{name: "no end before it started", given: []Event{caseTGStarted},
			when: func(c *Case) error {
				return c.EndTemporaryGuardianship(caseCW, caseNow, caseReceived, OutcomeReturnedToFamily)
			},
			fail: caseFailsImpossible("occurred_at")},
		{name: "a ground is required", when: func(c *Case) error {
			return c.StartTemporaryGuardianship(caseCW, caseNow, caseAt, GuardianshipGround{}, caseCenter)
		},
			fail: caseFailsInvalid("ground")},
		{name: "a placement is required", when: func(c *Case) error {
			return c.StartTemporaryGuardianship(caseCW, caseNow, caseAt, caseGround, Placement{})
		},
			fail: caseFailsInvalid("placement")},
		{name: "an outcome is required", given: []Event{caseTGStarted},
			when: func(c *Case) error { return c.EndTemporaryGuardianship(caseCW, caseNow, caseAt, GuardianshipOutcome{}) },
			fail: caseFailsInvalid("outcome")},
		{name: "a supervisor may not start it", when: func(c *Case) error {
			return c.StartTemporaryGuardianship(acting(RoleChildSupervisor, "sup-1", "370902101"), caseNow, caseAt, caseGround, caseCenter)
		}, fail: caseFailsForbidden},
	})
}

func TestCaseGuardianshipState(t *testing.T) {
	t.Parallel()
	c := LoadCase(caseChild, caseGiven(caseTGStarted))
	started := caseReceived.Add(time.Minute)
	assert.Equal(t, &TemporaryGuardianship{Active: true, Ground: caseGround, Placement: caseCenter, StartedAt: started}, c.Guardianship())
	require.NoError(t, c.EndTemporaryGuardianship(caseCW, caseNow, caseAt, OutcomeReturnedToFamily))
	g := c.Guardianship()
	ended := caseAt
	assert.Equal(t, &TemporaryGuardianship{Active: false, Ground: caseGround, Placement: caseCenter, StartedAt: started, EndedAt: &ended}, g)
	*g.EndedAt = time.Time{}
	g.Active = true
	assert.False(t, c.Guardianship().Active, "the accessor hands out a copy")
	assert.Equal(t, caseAt, *c.Guardianship().EndedAt)
}

func TestCaseReferrals(t *testing.T) {
	t.Parallel()
	accept := func(id string) func(*Case) error {
		return func(c *Case) error { return c.AcceptReferral(caseCW, caseNow, caseAt, id, "") }
	}
	decline := func(id string) func(*Case) error {
		return func(c *Case) error { return c.DeclineReferral(caseCW, caseNow, id, "no place") }
	}
	complete := func(id string) func(*Case) error {
		return func(c *Case) error { return c.CompleteReferral(caseCW, caseNow, caseAt, id, "") }
	}
	refer := func(id string, agency Agency, service Service, note string) func(*Case) error {
		return func(c *Case) error { return c.MakeReferral(caseCW, caseNow, id, agency, service, note) }
	}
	runCaseSpecs(t, []caseSpec{
		{name: "made", when: refer("r-1", caseEducation, caseReturnToSchool, " back to grade 4 "), then: []Event{caseMade}},
		{name: "ids are unique in the case", given: []Event{caseMade}, when: refer("r-1", casePolice, caseReturnToSchool, "n"), fail: caseFailsRule(RuleReferralExists)},
		{name: "a second referral", given: []Event{caseMade}, when: refer("r-2", casePolice, caseReturnToSchool, "n"),
			then: []Event{ReferralMade{ReferralID: "r-2", Agency: casePolice, Service: caseReturnToSchool, Note: "n"}}},
		{name: "an id is required", when: refer(" ", caseEducation, caseReturnToSchool, "n"), fail: caseFailsInvalid("referral_id")},
		{name: "an agency is required", when: refer("r-1", Agency{}, caseReturnToSchool, "n"), fail: caseFailsInvalid("agency")},
		{name: "a service is required", when: refer("r-1", caseEducation, Service{}, "n"), fail: caseFailsInvalid("service")},
		{name: "a note is required (API.md: {agency, service, note})", when: refer("r-1", caseEducation, caseReturnToSchool, " "), fail: caseFailsInvalid("note")},
		{name: "a note is bounded", when: refer("r-1", caseEducation, caseReturnToSchool, strings.Repeat("x", 4001)), fail: caseFailsInvalid("note")},

		{name: "accept a pending one", given: []Event{caseMade}, when: accept("r-1"), then: []Event{caseAccepted}},
		{name: "accept an unknown one", given: []Event{caseMade}, when: accept("r-9"), fail: caseFailsRule(RuleUnknownReferral)},
		{name: "accept an accepted one", given: []Event{caseMade, caseAccepted}, when: accept("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "accept a declined one", given: []Event{caseMade, caseDeclined}, when: accept("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "accept a completed one", given: []Event{caseMade, caseAccepted, caseCompleted}, when: accept("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "accept before it was made", given: []Event{caseMade},
			when: func(c *Case) error { return c.AcceptReferral(caseCW, caseNow, caseReceived, "r-1", "") }, fail: caseFailsImpossible("occurred_at")},
		{name: "accept with a note too long", given: []Event{caseMade},
			when: func(c *Case) error {
				return c.AcceptReferral(caseCW, caseNow, caseAt, "r-1", strings.Repeat("x", 4001))
			}, fail: caseFailsInvalid("note")},

		{name: "decline a pending one", given: []Event{caseMade}, when: decline("r-1"), then: []Event{caseDeclined}},
		{name: "decline an unknown one", when: decline("r-1"), fail: caseFailsRule(RuleUnknownReferral)},
		{name: "decline an accepted one", given: []Event{caseMade, caseAccepted}, when: decline("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "decline a declined one", given: []Event{caseMade, caseDeclined}, when: decline("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "decline without a reason", given: []Event{caseMade},
			when: func(c *Case) error { return c.DeclineReferral(caseCW, caseNow, "r-1", " ") }, fail: caseFailsInvalid("reason")},

		{name: "complete an accepted one", given: []Event{caseMade, caseAccepted}, when: complete("r-1"), then: []Event{caseCompleted}},
		{name: "complete an unknown one", given: []Event{caseMade, caseAccepted}, when: complete("r-2"), fail: caseFailsRule(RuleUnknownReferral)},
		{name: "complete a pending one", given: []Event{caseMade}, when: complete("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "complete a declined one", given: []Event{caseMade, caseDeclined}, when: complete("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "complete a completed one", given: []Event{caseMade, caseAccepted, caseCompleted}, when: complete("r-1"), fail: caseFailsRule(RuleReferralStatus)},
		{name: "complete before it was made", given: []Event{caseMade, caseAccepted},
			when: func(c *Case) error { return c.CompleteReferral(caseCW, caseNow, caseReceived, "r-1", "") }, fail: caseFailsImpossible("occurred_at")},

		{name: "the agency's partner accepts", given: []Event{caseMade},
			when: func(c *Case) error { return c.AcceptReferral(casePartner(caseEducation), caseNow, caseAt, "r-1", "") }, then: []Event{caseAccepted}},
		{name: "another agency's partner may not", given: []Event{caseMade},
			when: func(c *Case) error { return c.DeclineReferral(casePartner(casePolice), caseNow, "r-1", "not ours") }, fail: caseFailsForbidden},
	})
}

func TestCaseReferralState(t *testing.T) {
	t.Parallel()
	other := ReferralMade{ReferralID: "r-2", Agency: casePolice, Service: term[serviceWords]("legal_aid")}
	c := LoadCase(caseChild, caseGiven(caseMade, other, caseAccepted, caseCompleted, ReferralDeclined{ReferralID: "r-2", Reason: "x"}))
	assert.Equal(t, []Referral{
		{ID: "r-1", Agency: caseEducation, Service: caseReturnToSchool, Status: ReferralStatusCompleted, MadeAt: caseReceived.Add(time.Minute),
			AnsweredAt: ptrTo(caseReceived.Add(3 * time.Minute))},
		{ID: "r-2", Agency: casePolice, Service: other.Service, Status: ReferralStatusDeclined, MadeAt: caseReceived.Add(2 * time.Minute),
			AnsweredAt: ptrTo(caseReceived.Add(5 * time.Minute))},
	}, c.Referrals())
	c.Referrals()[0].Status = ReferralStatusPending
	assert.Equal(t, ReferralStatusCompleted, c.Referrals()[0].Status, "the accessor hands out a copy")
}

func TestCaseOtherCommands(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("长", 4001)
	runCaseSpecs(t, []caseSpec{
		{name: "assign", when: func(c *Case) error { return c.Assign(caseCW, caseNow, "cw-1") }, then: []Event{CaseAssigned{WorkerID: "cw-1"}}},
		{name: "assign the assignee again", given: []Event{CaseAssigned{WorkerID: "cw-1"}},
			when: func(c *Case) error { return c.Assign(caseCW, caseNow, " cw-1 ") }, fail: caseFailsRule(RuleAlreadyAssigned)},
		{name: "reassign", given: []Event{CaseAssigned{WorkerID: "cw-1"}},
			when: func(c *Case) error { return c.Assign(caseCW, caseNow, "cw-2") }, then: []Event{CaseAssigned{WorkerID: "cw-2"}}},
		{name: "assign nobody", when: func(c *Case) error { return c.Assign(caseCW, caseNow, "") }, fail: caseFailsInvalid("worker_id")},

		{name: "a police unit is required", when: func(c *Case) error { return c.ForwardToPolice(caseCW, caseNow, caseAt, " ", "") }, fail: caseFailsInvalid("police_unit")},
		{name: "a police reference is bounded", when: func(c *Case) error {
			return c.ForwardToPolice(caseCW, caseNow, caseAt, "unit", strings.Repeat("1", 201))
		}, fail: caseFailsInvalid("reference")},
		{name: "forwarded again to another unit", given: []Event{ReportForwardedToPolice{PoliceUnit: "a"}},
			when: func(c *Case) error { return c.ForwardToPolice(caseCW, caseNow, caseAt, "b", "") }, then: []Event{ReportForwardedToPolice{PoliceUnit: "b"}}},

		{name: "an emergency action is required", when: func(c *Case) error { return c.RecordEmergencyResponse(caseCW, caseNow, caseAt, "", "n") }, fail: caseFailsInvalid("action")},
		{name: "an emergency note is bounded", when: func(c *Case) error { return c.RecordEmergencyResponse(caseCW, caseNow, caseAt, "a", long) }, fail: caseFailsInvalid("note")},

		{name: "an assessment needs a risk", when: func(c *Case) error { return c.CompleteAssessment(caseCW, caseNow, caseAt, Risk{}, nil, "") }, fail: caseFailsInvalid("risk")},
		{name: "an assessment need is not blank", when: func(c *Case) error {
			return c.CompleteAssessment(caseCW, caseNow, caseAt, RiskLow, []string{"a", " "}, "")
		}, fail: caseFailsInvalid("needs")},
		{name: "an assessment without needs", when: func(c *Case) error { return c.CompleteAssessment(caseCW, caseNow, caseAt, RiskLow, nil, "") },
			then: []Event{AssessmentCompleted{Risk: RiskLow, Needs: []string{}}}},
		{name: "a guardianship assessment is bounded", when: func(c *Case) error {
			return c.CompleteAssessment(caseCW, caseNow, caseAt, RiskLow, nil, strings.Repeat("x", 8001))
		}, fail: caseFailsInvalid("guardianship_assessment")},

		{name: "a conference needs agencies", when: func(c *Case) error { return c.HoldConference(caseCW, caseNow, caseAt, nil, "d") }, fail: caseFailsInvalid("agencies")},
		{name: "a conference agency is not empty", when: func(c *Case) error { return c.HoldConference(caseCW, caseNow, caseAt, []Agency{{}}, "d") }, fail: caseFailsInvalid("agencies")},
		{name: "a conference agency is listed once", when: func(c *Case) error {
			return c.HoldConference(caseCW, caseNow, caseAt, []Agency{casePolice, casePolice}, "d")
		}, fail: caseFailsInvalid("agencies")},
		{name: "a conference needs decisions", when: func(c *Case) error { return c.HoldConference(caseCW, caseNow, caseAt, []Agency{casePolice}, " ") }, fail: caseFailsInvalid("decisions")},

		{name: "an intervention needs a measure", when: func(c *Case) error { return c.RecordIntervention(caseCW, caseNow, caseAt, " ", "") }, fail: caseFailsInvalid("measure")},
		{name: "a follow-up needs a note", when: func(c *Case) error { return c.RecordFollowUp(caseCW, caseNow, caseAt, "", "phone") }, fail: caseFailsInvalid("note")},
		{name: "a follow-up method is bounded", when: func(c *Case) error { return c.RecordFollowUp(caseCW, caseNow, caseAt, "n", strings.Repeat("m", 201)) }, fail: caseFailsInvalid("method")},

		{name: "a major incident needs a description", when: func(c *Case) error { return c.DeclareMajorIncident(caseInspector, caseNow, caseAt, " ") }, fail: caseFailsInvalid("description")},
		{name: "a major incident description is bounded", when: func(c *Case) error { return c.DeclareMajorIncident(caseInspector, caseNow, caseAt, long) }, fail: caseFailsInvalid("description")},
		{name: "each major incident is declared", given: []Event{MajorIncidentDeclared{Description: "first"}},
			when: func(c *Case) error { return c.DeclareMajorIncident(caseInspector, caseNow, caseAt, "second") },
			then: []Event{MajorIncidentDeclared{Description: "second"}}},
	})
}

func TestCaseApply(t *testing.T) {
	t.Parallel()
	history := caseGiven(
		ReportForwardedToPolice{PoliceUnit: "u"},
		CaseAssigned{WorkerID: "cw-1"},
		AssessmentCompleted{Risk: RiskLow, Needs: []string{}},
		ChildDataErased{Reason: "not a case event"},
		MajorIncidentDeclared{Description: "d"},
		caseClosed,
	)
	c := LoadCase(caseChild, history)
	assert.Equal(t, int64(len(history)), c.Version(), "every stored event counts, known or not")
	assert.Equal(t, StatusClosed, c.Status())
	assert.Equal(t, caseResolved, c.ClosureReason())
	assert.Equal(t, RiskLow, c.Risk(), "the assessment's risk is the latest")
	assert.Equal(t, "cw-1", c.Assignee())
	assert.True(t, c.PoliceReported())
	assert.True(t, c.MajorIncident())
	assert.Equal(t, caseCW.Actor, c.Receiver())
	assert.Empty(t, c.Changes())

	reopened := LoadCase(caseChild, caseGiven(caseClosed, CaseReopened{Reason: "r"}))
	assert.Equal(t, StatusOpen, reopened.Status())
	assert.True(t, reopened.ClosureReason().IsZero())
}

// TestCaseStory follows DOMAIN.md from the report to reopening.
func TestCaseStory(t *testing.T) {
	t.Parallel()
	supervisor := acting(RoleChildSupervisor, "sup-1", "370902101")
	partner := casePartner(caseEducation)
	clock := caseReceived
	next := func(d time.Duration) time.Time { clock = clock.Add(d); return clock }

	c, err := ReceiveReport(caseDirector, caseReceived.Add(2*time.Minute), caseChild, caseInput())
	require.NoError(t, err)
	steps := []struct {
		name string
		do   func() error
	}{
		{"forwarded to police", func() error {
			at := next(20 * time.Minute)
			return c.ForwardToPolice(caseDirector, at, at, "泰山区公安分局上高派出所", "")
		}},
		{"emergency response", func() error {
			at := next(time.Hour)
			return c.RecordEmergencyResponse(supervisor, at.Add(time.Hour), at, "placed with grandmother", "")
		}},
		{"assigned", func() error { return c.Assign(caseCW, next(time.Hour), "cw-1") }},
		{"assessed", func() error {
			at := next(72 * time.Hour)
			return c.CompleteAssessment(caseCW, at, at, RiskMedium, []string{"return to school", "guardian support"}, "father unable to return; grandmother frail")
		}},
		{"conference", func() error {
			at := next(24 * time.Hour)
			return c.HoldConference(caseCW, at, at, []Agency{caseEducation, term[agencyWords]("womens_federation")}, "refer to education; take the child in")
		}},
		{"referred", func() error {
			return c.MakeReferral(caseCW, next(time.Hour), "r-1", caseEducation, caseReturnToSchool, "back to school")
		}},
		{"referral accepted by the agency", func() error {
			at := next(48 * time.Hour)
			return c.AcceptReferral(partner, at, at, "r-1", "")
		}},
		{"temporary guardianship started", func() error {
			at := next(time.Hour)
			return c.StartTemporaryGuardianship(caseCW, at, at, caseGround, caseCenter)
		}},
		{"referral completed by the agency", func() error {
			at := next(14 * 24 * time.Hour)
			return c.CompleteReferral(partner, at, at, "r-1", "enrolled in grade 4")
		}},
		{"intervention", func() error {
			at := next(time.Hour)
			return c.RecordIntervention(caseCW, at, at, "family-education guidance for the father", "")
		}},
		{"temporary guardianship ended", func() error {
			at := next(10 * 24 * time.Hour)
			return c.EndTemporaryGuardianship(caseCW, at.Add(time.Hour), at, OutcomeReturnedToFamily)
		}},
		{"closed", func() error {
			at := next(24 * time.Hour)
			return c.Close(caseCW, at, at, ClosureReturnedToFamily)
		}},
		{"follow-up after return home", func() error {
			at := next(20 * 24 * time.Hour)
			return c.RecordFollowUp(caseDirector, at, at, "child at home and at school", "visit")
		}},
		{"reopened", func() error { return c.Reopen(caseCW, next(30*24*time.Hour), "left alone again") }},
	}
	for _, s := range steps {
		require.NoError(t, s.do(), s.name)
	}

	var types []string
	for _, ch := range c.Changes() {
		types = append(types, ch.Event.EventType())
	}
	assert.Equal(t, []string{
		"case.report_received", "case.report_forwarded_to_police", "case.emergency_response_recorded", "case.assigned",
		"case.assessment_completed", "case.conference_held", "case.referral_made", "case.referral_accepted",
		"case.temporary_guardianship_started", "case.referral_completed", "case.guardianship_intervention_recorded",
		"case.temporary_guardianship_ended", "case.closed", "case.follow_up_recorded", "case.reopened",
	}, types)
	assert.Equal(t, StatusOpen, c.Status())
	assert.Equal(t, "cw-1", c.Assignee())
	assert.Equal(t, RiskMedium, c.Risk())
	assert.True(t, c.PoliceReported())
	assert.False(t, c.MajorIncident())
	require.Len(t, c.Referrals(), 1)
	assert.Equal(t, ReferralStatusCompleted, c.Referrals()[0].Status)
	require.NotNil(t, c.Guardianship())
	assert.False(t, c.Guardianship().Active)
	assert.Equal(t, caseDirector.Actor, c.Receiver())
	assert.Equal(t, partner.Actor, c.Changes()[7].Actor, "the agency's partner answered")

	// What the store hands back, through its encoding, rebuilds the same case.
	history := throughJSON(t, storedAs(CaseStream("case-1"), c.Changes()...))
	loaded := LoadCase(caseChild, history)
	assert.Equal(t, caseStateOf(caseCommitted(c, history)), caseStateOf(loaded))
}

// caseCommitted marks a live case's changes as stored in history.
func caseCommitted(c *Case, history []Recorded) *Case {
	c.changes = nil
	c.facts.Version = int64(len(history))
	if len(history) > 0 {
		c.facts.LastPosition = history[len(history)-1].Position
	}
	return c
}

// caseState is everything a case shows, with times in UTC so that a case
// rebuilt from JSON compares equal.
type caseState struct {
	ID, ChildID    string
	Jurisdiction   Jurisdiction
	Version        int64
	Status         CaseStatus
	Source         Source
	Reporter       Reporter
	Concerns       []Concern
	Risk           Risk
	Summary        string
	ReceivedAt     time.Time
	Receiver       Actor
	Assignee       string
	Referrals      []Referral
	Guardianship   *TemporaryGuardianship
	MajorIncident  bool
	PoliceReported bool
	ClosureReason  ClosureReason
}

func caseStateOf(c *Case) caseState {
	s := caseState{
		ID: c.ID(), ChildID: c.ChildID(), Jurisdiction: c.Jurisdiction(), Version: c.Version(), Status: c.Status(),
		Source: c.Source(), Reporter: c.Reporter(), Concerns: c.Concerns(), Risk: c.Risk(), Summary: c.Summary(),
		ReceivedAt: c.ReceivedAt().UTC(), Receiver: c.Receiver(), Assignee: c.Assignee(), Referrals: c.Referrals(),
		Guardianship: c.Guardianship(), MajorIncident: c.MajorIncident(), PoliceReported: c.PoliceReported(),
		ClosureReason: c.ClosureReason(),
	}
	for i := range s.Referrals {
		s.Referrals[i].MadeAt = s.Referrals[i].MadeAt.UTC()
	}
	if g := s.Guardianship; g != nil {
		g.StartedAt = g.StartedAt.UTC()
		if g.EndedAt != nil {
			e := g.EndedAt.UTC()
			g.EndedAt = &e
		}
	}
	return s
}

// TestCaseRandomCommandsKeepTheRules gives many cases random commands, by
// random principals at random times, and keeps those the case accepts. No
// sequence may break an invariant, a refused command must change nothing,
// and the history must rebuild the very same case.
func TestCaseRandomCommandsKeepTheRules(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(20240301, 34))
	const cases, steps = 150, 40
	accepted := map[string]int{}
	for n := range cases {
		w := newCaseWalk(t, rng, n, accepted)
		for range steps {
			w.step()
		}
		w.flush()
		loaded := LoadCase(caseChild, throughJSON(t, w.history))
		require.Equal(t, caseStateOf(w.live), caseStateOf(loaded), "rebuilt through JSON")
	}
	for _, e := range []Event{
		ReportReceived{}, ReportForwardedToPolice{}, EmergencyResponseRecorded{}, CaseAssigned{}, AssessmentCompleted{},
		CaseConferenceHeld{}, ReferralMade{}, ReferralAccepted{}, ReferralDeclined{}, ReferralCompleted{},
		TemporaryGuardianshipStarted{}, TemporaryGuardianshipEnded{}, GuardianshipInterventionRecorded{},
		FollowUpRecorded{}, MajorIncidentDeclared{}, CaseClosed{}, CaseReopened{},
	} {
		assert.Positive(t, accepted[e.EventType()], "the walk never reached %s", e.EventType())
	}
	assert.Positive(t, accepted["refused"])
}

type caseWalk struct {
	t        *testing.T
	rng      *rand.Rand
	now      time.Time
	live     *Case
	all      []Change   // every change accepted
	history  []Recorded // the changes stored so far
	active   int        // temporary guardianships active, counted from the events
	next     int        // for fresh referral ids
	accepted map[string]int
}

func newCaseWalk(t *testing.T, rng *rand.Rand, n int, accepted map[string]int) *caseWalk {
	w := &caseWalk{t: t, rng: rng, now: caseReceived.Add(time.Duration(rng.IntN(1000)) * time.Hour), accepted: accepted}
	in := caseInput()
	in.CaseID = fmt.Sprintf("case-%d", n)
	in.ReceivedAt = w.now.Add(-time.Duration(rng.IntN(120)) * time.Minute)
	c, err := ReceiveReport(caseDirector, w.now, caseChild, in)
	require.NoError(t, err)
	w.live = c
	w.all = c.Changes()
	w.accepted[ReportReceived{}.EventType()]++
	return w
}

// casePick is a random element of s.
func casePick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

func caseRandomTerm[V vocabulary](rng *rand.Rand) Term[V] {
	if rng.IntN(20) == 0 {
		return Term[V]{}
	}
	return term[V](casePick(rng, Words[Term[V]]()))
}

func (w *caseWalk) text() string {
	if w.rng.IntN(20) == 0 {
		return " "
	}
	return casePick(w.rng, []string{"见面", "phone call", "家访 visit", "note"})
}

func (w *caseWalk) principal() Principal {
	switch r := w.rng.IntN(20); {
	case r < 10:
		return acting(RoleCaseworker, casePick(w.rng, []string{"cw-1", "cw-2"}), "370902")
	case r < 16:
		by := acting(casePick(w.rng, everyRole), "p-1", "370902")
		if by.Role == RolePartner {
			by.Agency = caseRandomTerm[agencyWords](w.rng)
		}
		return by
	default:
		// A partner of an agency the case has referred to.
		by := acting(RolePartner, "partner-1", "370902")
		if refs := w.live.Referrals(); len(refs) > 0 {
			by.Agency = casePick(w.rng, refs).Agency
		}
		return by
	}
}

func (w *caseWalk) at() time.Time {
	switch r := w.rng.IntN(40); {
	case r == 0:
		return time.Time{}
	case r == 1:
		return w.now.Add(ClockSkew + time.Minute)
	default:
		return w.now.Add(-time.Duration(w.rng.IntN(72*60)) * time.Minute)
	}
}

func (w *caseWalk) referralID() string {
	if refs := w.live.Referrals(); len(refs) > 0 && w.rng.IntN(10) > 0 {
		return casePick(w.rng, refs).ID
	}
	return "r-unknown"
}

// command is a random command with random arguments, and the roles that
// may give it (partner: a partner of the referral's agency may too).
func (w *caseWalk) command(by Principal, at time.Time) (do func(c *Case) error, roles []Role, partner bool) {
	now, rng := w.now, w.rng
	actors := []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker}
	cw := []Role{RoleCaseworker}
	switch rng.IntN(16) {
	case 0:
		return func(c *Case) error { return c.ForwardToPolice(by, now, at, w.text(), "") }, actors, false
	case 1:
		return func(c *Case) error { return c.RecordEmergencyResponse(by, now, at, w.text(), "") }, actors, false
	case 2:
		id := casePick(rng, []string{"cw-1", "cw-2", "cw-3"})
		return func(c *Case) error { return c.Assign(by, now, id) }, cw, false
	case 3:
		risk := caseRandomTerm[riskWords](rng)
		return func(c *Case) error { return c.CompleteAssessment(by, now, at, risk, []string{w.text()}, "") }, cw, false
	case 4:
		agencies := []Agency{caseRandomTerm[agencyWords](rng)}
		return func(c *Case) error { return c.HoldConference(by, now, at, agencies, w.text()) }, cw, false
	case 5:
		id := fmt.Sprintf("r-%d", w.next)
		if rng.IntN(10) == 0 {
			id = w.referralID()
		} else {
			w.next++
		}
		agency, service := caseRandomTerm[agencyWords](rng), caseRandomTerm[serviceWords](rng)
		return func(c *Case) error { return c.MakeReferral(by, now, id, agency, service, "note") }, cw, false
	case 6:
		id := w.referralID()
		return func(c *Case) error { return c.AcceptReferral(by, now, at, id, "") }, cw, true
	case 7:
		id := w.referralID()
		return func(c *Case) error { return c.DeclineReferral(by, now, id, w.text()) }, cw, true
	case 8:
		id := w.referralID()
		return func(c *Case) error { return c.CompleteReferral(by, now, at, id, "") }, cw, true
	case 9:
		ground, placement := caseRandomTerm[groundWords](rng), caseRandomTerm[placementWords](rng)
		return func(c *Case) error { return c.StartTemporaryGuardianship(by, now, at, ground, placement) }, cw, false
	case 10:
		outcome := caseRandomTerm[guardianshipEndWords](rng)
		return func(c *Case) error { return c.EndTemporaryGuardianship(by, now, at, outcome) }, cw, false
	case 11:
		return func(c *Case) error { return c.RecordIntervention(by, now, at, w.text(), "") }, cw, false
	case 12:
		return func(c *Case) error { return c.RecordFollowUp(by, now, at, w.text(), "") }, actors, false
	case 13:
		return func(c *Case) error { return c.DeclareMajorIncident(by, now, at, w.text()) }, []Role{RoleCaseworker, RoleInspector}, false
	case 14:
		reason := caseRandomTerm[closureReasonWords](rng)
		return func(c *Case) error { return c.Close(by, now, at, reason) }, cw, false
	default:
		return func(c *Case) error { return c.Reopen(by, now, w.text()) }, cw, false
	}
}

func (w *caseWalk) step() {
	t := w.t
	w.now = w.now.Add(time.Duration(1+w.rng.IntN(48*60)) * time.Minute)
	by := w.principal()
	do, roles, partner := w.command(by, w.at())
	before, pending := caseStateOf(w.live), len(w.live.Changes())

	err := do(w.live)
	if err != nil {
		classified := errors.Is(err, ErrInvalid) || errors.Is(err, ErrImpossible) || errors.Is(err, ErrRule) || errors.Is(err, ErrForbidden)
		require.True(t, classified, "unclassified error: %v", err)
		require.Len(t, w.live.Changes(), pending, "a refused command records nothing: %v", err)
		require.Equal(t, before, caseStateOf(w.live), "a refused command changes nothing: %v", err)
		w.accepted["refused"]++
	} else {
		changes := w.live.Changes()
		require.Len(t, changes, pending+1, "a command records exactly one event")
		last := changes[len(changes)-1]
		require.Equal(t, by.Actor, last.Actor)
		require.True(t, slices.Contains(roles, by.Role) || (partner && by.Role == RolePartner),
			"a %s gave %s", by.Role, last.Event.EventType())
		w.accepted[last.Event.EventType()]++
		w.all = append(w.all, last)
		switch last.Event.(type) {
		case TemporaryGuardianshipStarted:
			w.active++
		case TemporaryGuardianshipEnded:
			w.active--
		}
	}
	w.checkInvariants()
	if w.rng.IntN(8) == 0 {
		w.flush()
	}
}

func (w *caseWalk) checkInvariants() {
	t, c := w.t, w.live
	require.True(t, w.active == 0 || w.active == 1, "%d temporary guardianships active", w.active)
	require.Equal(t, w.active == 1, c.Guardianship() != nil && c.Guardianship().Active)
	require.Contains(t, []CaseStatus{StatusOpen, StatusClosed}, c.Status())
	seen := map[string]bool{}
	for _, r := range c.Referrals() {
		require.False(t, seen[r.ID], "referral %s twice", r.ID)
		seen[r.ID] = true
		if c.Status() == StatusClosed {
			require.NotContains(t, []ReferralStatus{ReferralStatusPending, ReferralStatusAccepted}, r.Status, "closed with referral %s %s", r.ID, r.Status)
		}
	}
	if c.Status() == StatusClosed {
		require.Zero(t, w.active, "closed with temporary guardianship active")
	}
}

// flush stores the pending changes, rebuilds the case from the history
// and goes on with either the live or the rebuilt case, which must be equal.
func (w *caseWalk) flush() {
	w.history = storedAs(CaseStream(w.live.ID()), w.all...)
	loaded := LoadCase(caseChild, w.history)
	caseCommitted(w.live, w.history)
	require.Equal(w.t, w.live, loaded, "the history rebuilds the same case")
	if w.rng.IntN(2) == 0 {
		w.live = loaded
	}
}

func ptrTo[T any](v T) *T { return &v }
