package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// actRoles reads a role column of ../shared/API.md: role names separated
// by commas, where "case actors" and "any case actor" are the child
// director, the child supervisor and the caseworker, and "partner of that
// agency" is the partner (its agency is checked where the act is decided).
func actRoles(t *testing.T, column string) []Role {
	t.Helper()
	var out []Role
	for _, word := range strings.Split(column, ",") {
		switch word = strings.TrimSpace(word); word {
		case "case actors", "any case actor":
			out = append(out, RoleChildDirector, RoleChildSupervisor, RoleCaseworker)
		case "partner of that agency":
			out = append(out, RolePartner)
		default:
			r, err := ParseTerm[roleWords](word)
			require.NoError(t, err, "column %q", column)
			out = append(out, r)
		}
	}
	return out
}

// TestActsFollowTheAPI pins every act to the role column of its rows in
// API.md's "Commands" and "Queries" tables.
func TestActsFollowTheAPI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		row    string // the API.md row (or rows) the act stands for
		act    Act
		column string // API.md's role(s) column
	}{
		// Commands.
		{"POST /v1/workers", ActRegisterWorker, "admin"},
		{"POST /v1/workers/{id}/training", ActRecordTraining, "admin, child_supervisor"},
		{"POST /v1/children", ActRegisterChild, "child_director, child_supervisor, caseworker"},
		{"POST /v1/children/{id}/profile", ActUpdateChildProfile, "child_director, child_supervisor, caseworker"},
		{"POST /v1/children/{id}/visits", ActRecordVisit, "child_director, child_supervisor, caseworker"},
		{"POST /v1/children/{id}/entrusted-guardianship", ActConfirmEntrustment, "child_director, child_supervisor"},
		{"POST /v1/children/{id}/erasure", ActEraseChildData, "admin"},
		// And the 12355 desk (API.md "Accountability…": a partner of agency
		// youth_league, for source hotline_12355; checkReportDesk).
		{"POST /v1/cases", ActReceiveReport, "child_director, child_supervisor, caseworker, partner"},
		{"POST /v1/cases/{id}/police-report", ActForwardToPolice, "any case actor"},
		{"POST /v1/cases/{id}/emergency-response", ActRecordEmergencyResponse, "caseworker, child_supervisor, child_director"},
		{"POST /v1/cases/{id}/assignment", ActAssignCase, "caseworker"},
		{"POST /v1/cases/{id}/assessments", ActCompleteAssessment, "caseworker"},
		{"POST /v1/cases/{id}/conferences", ActHoldConference, "caseworker"},
		{"POST /v1/cases/{id}/referrals", ActMakeReferral, "caseworker"},
		{"POST /v1/cases/{id}/referrals/{rid}/acceptance", ActAcceptReferral, "partner of that agency, caseworker"},
		{"POST /v1/cases/{id}/referrals/{rid}/decline", ActDeclineReferral, "partner of that agency, caseworker"},
		{"POST /v1/cases/{id}/referrals/{rid}/completion", ActCompleteReferral, "partner of that agency, caseworker"},
		{"POST /v1/cases/{id}/temporary-guardianship", ActStartTemporaryGuardianship, "caseworker"},
		{"POST /v1/cases/{id}/temporary-guardianship/end", ActEndTemporaryGuardianship, "caseworker"},
		{"POST /v1/cases/{id}/guardianship-intervention", ActRecordIntervention, "caseworker"},
		{"POST /v1/cases/{id}/follow-ups", ActRecordFollowUp, "any case actor"},
		{"POST /v1/cases/{id}/major-incident", ActDeclareMajorIncident, "caseworker, inspector"},
		{"POST /v1/cases/{id}/closure", ActCloseCase, "caseworker"},
		{"POST /v1/cases/{id}/reopening", ActReopenCase, "caseworker"},
		{"POST /v1/inquiries", ActOpenInquiry, "inspector"},
		{"PUT /v1/policy", ActChangePolicy, "admin"},
		// Corrections (API.md, "Accountability…": whoever may record the
		// corrected entry); the domain lets the case actors correct.
		{"POST /v1/cases/{id}/corrections, POST /v1/children/{id}/corrections", ActCorrectEntry, "case actors"},

		// Queries.
		{"GET /v1/cases/{id}, /timeline, GET /v1/children/{id}, /timeline, GET /v1/children, GET /v1/deadlines", ActReadCases, "case actors, inspector"},
		{"GET /v1/cases/{id}/events", ActReadEvents, "inspector, caseworker"},
		{"GET /v1/caseload", ActReadCaseload, "caseworker, child_supervisor, inspector"},
		{"GET /v1/inquiries/{id}/report", ActReadReports, "inspector"},
		{"GET /v1/access-log", ActReadAccessLog, "inspector"},
		{"GET /v1/stats/cases", ActReadStats, "analyst, inspector"},
		{"GET /v1/integrity", ActVerifyIntegrity, "inspector, admin"},
		// API.md "Accountability…" (the partner of its own agency).
		{"GET /v1/referrals, GET /v1/referrals/{rid}", ActReadReferrals, "partner, caseworker"},
	} {
		t.Run(tc.row, func(t *testing.T) {
			t.Parallel()
			want := actRoles(t, tc.column)
			assert.ElementsMatch(t, want, tc.act.Roles(), "%s (%s)", tc.row, tc.act)
			for _, role := range everyRole {
				assert.Equal(t, slices.Contains(want, role), tc.act.Allows(role), "may a %s %s?", role, tc.act)
			}
			assert.False(t, tc.act.Allows(Role{}), "a principal without a role may do nothing")
			assert.NotEmpty(t, tc.act.String())
		})
	}
}

func TestActCheck(t *testing.T) {
	t.Parallel()
	t.Run("an allowed role with a subject passes", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, ActCloseCase.Check(acting(RoleCaseworker, "cw-1", "370902")))
		require.NoError(t, ActDeclareMajorIncident.Check(acting(RoleInspector, "insp-1", "all")))
		require.NoError(t, ActRecordTraining.Check(acting(RoleChildSupervisor, "sup-1", "370902101")))
	})

	t.Run("another role is refused, naming it, the act and the roles that may", func(t *testing.T) {
		t.Parallel()
		err := ActDeclareMajorIncident.Check(acting(RoleChildDirector, "dir-1", "370902101201"))
		thenForbidden(t, err)
		for _, part := range []string{"child_director", "declare a major incident", "caseworker", "inspector"} {
			assert.Contains(t, err.Error(), part)
		}
		assert.NotContains(t, err.Error(), "admin")
	})

	t.Run("a principal without a role is refused", func(t *testing.T) {
		t.Parallel()
		err := ActReadCases.Check(Principal{Actor: Actor{Subject: "someone"}})
		thenForbidden(t, err)
		assert.Contains(t, err.Error(), "without a role")
	})

	t.Run("an allowed role that names no one is refused", func(t *testing.T) {
		t.Parallel()
		err := ActAssignCase.Check(acting(RoleCaseworker, "", "370902"))
		thenForbidden(t, err)
		assert.Contains(t, err.Error(), "no one")
		assert.Contains(t, err.Error(), ActAssignCase.String())
	})

	t.Run("the refusal of a role comes first", func(t *testing.T) {
		t.Parallel()
		err := ActAssignCase.Check(acting(RoleAnalyst, "", "370902"))
		thenForbidden(t, err)
		assert.Contains(t, err.Error(), "analyst")
	})

	t.Run("every act, every role", func(t *testing.T) {
		t.Parallel()
		for _, a := range []Act{ActRegisterWorker, ActEraseChildData, ActAcceptReferral, ActReadStats, ActVerifyIntegrity} {
			for _, role := range everyRole {
				err := a.Check(acting(role, "p-1", "all"))
				if a.Allows(role) {
					assert.NoError(t, err, "a %s may %s", role, a)
					continue
				}
				var forbidden *ForbiddenError
				assert.True(t, errors.As(err, &forbidden), "a %s may not %s", role, a)
			}
		}
	})
}

func TestActRolesIsACopy(t *testing.T) {
	t.Parallel()
	roles := ActCloseCase.Roles()
	require.Equal(t, []Role{RoleCaseworker}, roles)
	roles[0] = RoleAdmin
	assert.Equal(t, []Role{RoleCaseworker}, ActCloseCase.Roles())
	assert.False(t, ActCloseCase.Allows(RoleAdmin))

	shared := ActRegisterChild.Roles() // the acts built from one list
	shared[0] = RoleAnalyst
	assert.False(t, ActRecordVisit.Allows(RoleAnalyst))
	assert.False(t, ActReceiveReport.Allows(RoleAnalyst))
}

func TestPrincipalReaches(t *testing.T) {
	t.Parallel()
	village := mustPlace("370902101201")
	for _, tc := range []struct {
		name      string
		principal string
		place     Jurisdiction
		want      bool
	}{
		{"a county reaches its village", "370902", village, true},
		{"a township reaches its village", "370902101", village, true},
		{"a village reaches itself", "370902101201", village, true},
		{"a county reaches itself", "370902", mustPlace("370902"), true},
		{"a county does not reach another county's village", "370911", village, false},
		{"a village does not reach its county", "370902101201", mustPlace("370902"), false},
		{"a village does not reach its neighbour", "370902101201", mustPlace("370902101202"), false},
		{"all reaches everything", "all", village, true},
		{"a county does not reach all", "370902", All, false},
		{"nothing is reached without a place", "all", Jurisdiction{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, acting(RoleInspector, "i", tc.principal).Reaches(tc.place))
		})
	}
	assert.False(t, Principal{}.Reaches(village), "a principal without a jurisdiction reaches nothing")
}

func TestNeedsRegister(t *testing.T) {
	t.Parallel()
	for _, role := range everyRole {
		want := role == RoleChildDirector || role == RoleChildSupervisor
		assert.Equal(t, want, NeedsRegister(role), role.String())
	}
	assert.False(t, NeedsRegister(Role{}))
}

func TestCheckRegistered(t *testing.T) {
	t.Parallel()
	entry := func(id string, role Role) WorkerFacts {
		j := map[Role]string{RoleChildDirector: "370902101201", RoleChildSupervisor: "370902101", RoleCaseworker: "370902", RolePartner: "370902"}[role]
		return WorkerFacts{ID: id, Name: "李芳", Role: role, Jurisdiction: mustPlace(j)}
	}
	deactivated := func(f WorkerFacts) WorkerFacts { f.DeactivatedAt = workerNow; return f }
	moved := func(f WorkerFacts, to string) WorkerFacts { f.Jurisdiction = mustPlace(to); return f }
	director := acting(RoleChildDirector, "dir-1", "370902101201")
	supervisor := acting(RoleChildSupervisor, "sup-1", "370902101")
	for _, tc := range []struct {
		name    string
		by      Principal
		entry   WorkerFacts
		refused bool
	}{
		{"a registered director", director, entry("dir-1", RoleChildDirector), false},
		{"a registered supervisor", supervisor, entry("sup-1", RoleChildSupervisor), false},
		{"a director not in the register", director, WorkerFacts{}, true},
		{"a supervisor not in the register", supervisor, WorkerFacts{}, true},
		{"a director registered as a supervisor", director, entry("dir-1", RoleChildSupervisor), true},
		{"a supervisor registered as a director", supervisor, entry("sup-1", RoleChildDirector), true},
		{"a director registered as a caseworker", director, entry("dir-1", RoleCaseworker), true},
		{"a deactivated director", director, deactivated(entry("dir-1", RoleChildDirector)), true},
		{"a deactivated caseworker", acting(RoleCaseworker, "cw-1", "370902"), deactivated(entry("cw-1", RoleCaseworker)), true},
		{"a deactivated partner", acting(RolePartner, "p-1", "370902"), deactivated(entry("p-1", RolePartner)), true},
		{"a director moved to another village", director, moved(entry("dir-1", RoleChildDirector), "370902101202"), true},
		{"a caseworker moved to another county", acting(RoleCaseworker, "cw-1", "370902"), moved(entry("cw-1", RoleCaseworker), "370911"), true},
		{"a caseworker moved up to the city center", acting(RoleCaseworker, "cw-1", "370902"), moved(entry("cw-1", RoleCaseworker), "3709"), false},
		{"a caseworker registered as a partner", acting(RoleCaseworker, "cw-1", "370902"), entry("cw-1", RolePartner), true},
		{"a caseworker need not be registered", acting(RoleCaseworker, "cw-1", "370902"), WorkerFacts{}, false},
		{"a partner need not be registered", acting(RolePartner, "p-1", "370902"), WorkerFacts{}, false},
		{"an inspector need not be registered", acting(RoleInspector, "i-1", "all"), WorkerFacts{}, false},
		{"an analyst need not be registered", acting(RoleAnalyst, "a-1", "all"), WorkerFacts{}, false},
		{"an admin need not be registered", acting(RoleAdmin, "ad-1", "all"), WorkerFacts{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckRegistered(tc.by, tc.entry)
			if !tc.refused {
				assert.NoError(t, err)
				return
			}
			thenForbidden(t, err)
			assert.Contains(t, err.Error(), tc.by.Subject)
			assert.Contains(t, err.Error(), tc.by.Role.String())
		})
	}

	t.Run("with the entry folded from the register", func(t *testing.T) {
		t.Parallel()
		history := dlRegister(RoleChildDirector, "370902101201").all() // worker w1
		w := foldWorker(history)
		assert.NoError(t, CheckRegistered(acting(RoleChildDirector, "w1", "370902101201"), w))
		thenForbidden(t, CheckRegistered(acting(RoleChildSupervisor, "w1", "370902101"), w))
	})
}

func TestWorkerFactsApply(t *testing.T) {
	t.Parallel()
	admin := Actor{Subject: "admin", Role: RoleAdmin, Jurisdiction: All}
	registered := dlCST(2025, time.March, 3, 9, 0)
	first := WorkerRegistered{WorkerID: "w1", Name: "李芳", Role: RoleChildDirector, Jurisdiction: mustPlace("370902101201")}
	second := WorkerRegistered{WorkerID: "w2", Name: "张伟", Role: RolePartner, Jurisdiction: mustPlace("370902"), Agency: cfPolice}
	on := NewDate(2025, time.March, 10)

	var f WorkerFacts
	for _, r := range dlNew(WorkerStream("w1")).
		by(admin, registered, registered, first).
		late(on.Start(), on.Start().Add(dlDay), WorkerTrainingRecorded{Passed: false, CompletedOn: on}).
		by(admin, registered.Add(dlDay), registered.Add(dlDay), second).
		late(on.Start(), on.Start().Add(dlDay), WorkerTrainingRecorded{Passed: true, CompletedOn: on}).
		at(registered, CaseClosed{Reason: cfResolved}).all() {
		f.Apply(r)
	}
	assert.Equal(t, WorkerFacts{ID: "w1", Name: "李芳", Role: RoleChildDirector, Jurisdiction: mustPlace("370902101201"),
		RegisteredAt: registered, Trainings: []Training{{Passed: false, CompletedOn: on}, {Passed: true, CompletedOn: on}},
		Posts: []Post{{Jurisdiction: mustPlace("370902101201"), From: registered}}, Version: 5}, f, "a second registration changes nothing; trainings in the order recorded; every event counts")

	t.Run("a registration without a worker id takes the stream's", func(t *testing.T) {
		t.Parallel()
		anonymous := first
		anonymous.WorkerID = ""
		var f WorkerFacts
		f.Apply(Recorded{StreamID: WorkerStream("from-stream"), Version: 1, Event: anonymous, OccurredAt: registered})
		assert.Equal(t, "from-stream", f.ID)
	})
}
