package domain

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	workerNow        = time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaStandardTime)
	workerAdmin      = acting(RoleAdmin, "admin-1", "all")
	workerSupervisor = acting(RoleChildSupervisor, "supervisor-1", "370902101")
	agencyPolice     = term[agencyWords]("police")
)

func aDirector() WorkerRegistered {
	return WorkerRegistered{WorkerID: "director-1", Name: "张桂兰", Role: RoleChildDirector, Jurisdiction: mustPlace("370902101201")}
}

// givenWorker is a registered director's stream with trainings recorded on
// the given days, passed or failed.
func givenWorker(t *testing.T, trainings ...Training) []Recorded {
	t.Helper()
	w, err := RegisterWorker(workerAdmin, time.Date(2020, 1, 1, 9, 0, 0, 0, ChinaStandardTime), aDirector())
	require.NoError(t, err)
	for _, tr := range trainings {
		require.NoError(t, w.RecordTraining(workerSupervisor, workerNow.AddDate(2, 0, 0), tr.Passed, tr.CompletedOn))
	}
	return storedAs(WorkerStream("director-1"), w.Changes()...)
}

func TestRegisterWorker(t *testing.T) {
	t.Parallel()

	t.Run("enters the worker", func(t *testing.T) {
		t.Parallel()
		w, err := RegisterWorker(workerAdmin, workerNow, aDirector())
		require.NoError(t, err)
		assert.Equal(t, []Change{{Event: aDirector(), Actor: workerAdmin.Actor, OccurredAt: workerNow}}, w.Changes())
		assert.Equal(t, "director-1", w.ID())
		assert.Zero(t, w.Version())
		assert.Equal(t, "张桂兰", w.Name())
		assert.Equal(t, RoleChildDirector, w.Role())
		assert.Equal(t, mustPlace("370902101201"), w.Jurisdiction())
		assert.True(t, w.Agency().IsZero())
		assert.Empty(t, w.Trainings())
		assert.Equal(t, workerNow, w.RegisteredAt())
	})

	for _, role := range everyRole {
		if role == RoleAdmin {
			continue
		}
		t.Run("a "+role.String()+" may not", func(t *testing.T) {
			t.Parallel()
			w, err := RegisterWorker(acting(role, "someone", "all"), workerNow, aDirector())
			assert.Nil(t, w)
			thenForbidden(t, err)
		})
	}

	for _, tc := range []struct {
		name         string
		role         Role
		jurisdiction string
		agency       Agency
		field        string // "" when accepted
	}{
		{name: "director of a village", role: RoleChildDirector, jurisdiction: "370902101201"},
		{name: "director of a township", role: RoleChildDirector, jurisdiction: "370902101", field: "jurisdiction"},
		{name: "director of all", role: RoleChildDirector, jurisdiction: "all", field: "jurisdiction"},
		{name: "supervisor of a township", role: RoleChildSupervisor, jurisdiction: "370902101"},
		{name: "supervisor of a village", role: RoleChildSupervisor, jurisdiction: "370902101201", field: "jurisdiction"},
		{name: "supervisor of a county", role: RoleChildSupervisor, jurisdiction: "370902", field: "jurisdiction"},
		{name: "caseworker of a county", role: RoleCaseworker, jurisdiction: "370902"},
		{name: "caseworker of a city (市级救助保护机构)", role: RoleCaseworker, jurisdiction: "3709"},
		{name: "caseworker of a township", role: RoleCaseworker, jurisdiction: "370902101", field: "jurisdiction"},
		{name: "caseworker of a village", role: RoleCaseworker, jurisdiction: "370902101201", field: "jurisdiction"},
		{name: "caseworker of a province", role: RoleCaseworker, jurisdiction: "37", field: "jurisdiction"},
		{name: "caseworker of all", role: RoleCaseworker, jurisdiction: "all", field: "jurisdiction"},
		{name: "partner of all", role: RolePartner, jurisdiction: "all", agency: agencyPolice},
		{name: "partner of a province", role: RolePartner, jurisdiction: "37", agency: agencyPolice},
		{name: "partner without agency", role: RolePartner, jurisdiction: "37", field: "agency"},
		{name: "director with an agency", role: RoleChildDirector, jurisdiction: "370902101201", agency: agencyPolice, field: "agency"},
		{name: "caseworker with an agency", role: RoleCaseworker, jurisdiction: "370902", agency: agencyPolice, field: "agency"},
		{name: "an inspector", role: RoleInspector, jurisdiction: "37", field: "role"},
		{name: "an analyst", role: RoleAnalyst, jurisdiction: "37", field: "role"},
		{name: "an admin", role: RoleAdmin, jurisdiction: "all", field: "role"},
		{name: "no role", jurisdiction: "37", field: "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := WorkerRegistered{WorkerID: "w-1", Name: "李明", Role: tc.role, Jurisdiction: mustPlace(tc.jurisdiction), Agency: tc.agency}
			w, err := RegisterWorker(workerAdmin, workerNow, in)
			if tc.field == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.agency, w.Agency())
				return
			}
			thenInvalid(t, err, tc.field)
		})
	}

	for _, tc := range []struct {
		name   string
		mutate func(*WorkerRegistered)
		field  string
	}{
		{name: "no worker_id", mutate: func(w *WorkerRegistered) { w.WorkerID = "" }, field: "worker_id"},
		{name: "no name", mutate: func(w *WorkerRegistered) { w.Name = " " }, field: "name"},
		{name: "too long a name", mutate: func(w *WorkerRegistered) { w.Name = strings.Repeat("张", 101) }, field: "name"},
		{name: "no jurisdiction", mutate: func(w *WorkerRegistered) { w.Jurisdiction = Jurisdiction{} }, field: "jurisdiction"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			t.Parallel()
			in := aDirector()
			tc.mutate(&in)
			_, err := RegisterWorker(workerAdmin, workerNow, in)
			thenInvalid(t, err, tc.field)
		})
	}
}

func TestWorkerRecordTraining(t *testing.T) {
	t.Parallel()
	today := NewDate(2025, time.June, 1)

	t.Run("records the training on the day it was completed", func(t *testing.T) {
		t.Parallel()
		w := LoadWorker(givenWorker(t))
		on := NewDate(2025, time.May, 20)
		require.NoError(t, w.RecordTraining(workerSupervisor, workerNow, true, on))
		assert.Equal(t, []Change{{
			Event:      WorkerTrainingRecorded{Passed: true, CompletedOn: on},
			Actor:      workerSupervisor.Actor,
			OccurredAt: time.Date(2025, 5, 20, 0, 0, 0, 0, ChinaStandardTime),
		}}, w.Changes())
		assert.Equal(t, []Training{{Passed: true, CompletedOn: on}}, w.Trainings())
		assert.Equal(t, int64(1), w.Version())
	})

	for _, role := range everyRole {
		t.Run("as "+role.String(), func(t *testing.T) {
			t.Parallel()
			w := LoadWorker(givenWorker(t))
			err := w.RecordTraining(acting(role, "someone", "370902101"), workerNow, true, today)
			if role == RoleAdmin || role == RoleChildSupervisor {
				assert.NoError(t, err)
			} else {
				thenForbidden(t, err)
				assert.Empty(t, w.Changes())
			}
		})
	}

	t.Run("a supervisor may not record their own training", func(t *testing.T) {
		t.Parallel()
		w, err := RegisterWorker(workerAdmin, workerNow, WorkerRegistered{
			WorkerID: "supervisor-1", Name: "赵强", Role: RoleChildSupervisor, Jurisdiction: mustPlace("370902101"),
		})
		require.NoError(t, err)
		thenForbidden(t, w.RecordTraining(workerSupervisor, workerNow, true, today))
		assert.NoError(t, w.RecordTraining(workerAdmin, workerNow, true, today))
	})

	t.Run("a failed training is recorded too", func(t *testing.T) {
		t.Parallel()
		w := LoadWorker(givenWorker(t))
		require.NoError(t, w.RecordTraining(workerAdmin, workerNow, false, today))
		assert.Equal(t, []Training{{Passed: false, CompletedOn: today}}, w.Trainings())
	})

	t.Run("refuses a missing or future date", func(t *testing.T) {
		t.Parallel()
		w := LoadWorker(givenWorker(t))
		thenInvalid(t, w.RecordTraining(workerAdmin, workerNow, true, Date{}), "completed_on")
		thenImpossible(t, w.RecordTraining(workerAdmin, workerNow, true, NewDate(2025, time.June, 2)), "completed_on")
		// Just after midnight in China the new day has begun, though it is
		// still the previous day in UTC.
		justAfterMidnight := time.Date(2025, 6, 2, 0, 30, 0, 0, ChinaStandardTime)
		assert.NoError(t, w.RecordTraining(workerAdmin, justAfterMidnight, true, NewDate(2025, time.June, 2)))
		assert.Len(t, w.Changes(), 1)
	})
}

func TestWorkerQualification(t *testing.T) {
	t.Parallel()
	trainedOn := NewDate(2024, time.June, 1)
	cst := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, ChinaStandardTime)
	}

	for _, tc := range []struct {
		name      string
		trainings []Training
		at        time.Time
		months    int
		want      Qualification
		lastPass  Date
	}{
		{name: "never trained", at: cst(2025, 1, 1, 0, 0, 0), months: 12, want: Untrained},
		{name: "only a failed training", trainings: []Training{{Passed: false, CompletedOn: trainedOn}},
			at: cst(2024, 7, 1, 0, 0, 0), months: 12, want: Untrained},
		{name: "passed, but only after the moment", trainings: []Training{{Passed: true, CompletedOn: trainedOn}},
			at: cst(2024, 5, 31, 23, 59, 59), months: 12, want: Untrained},
		{name: "passed on that very day", trainings: []Training{{Passed: true, CompletedOn: trainedOn}},
			at: cst(2024, 6, 1, 0, 0, 0), months: 12, want: Qualified, lastPass: trainedOn},
		{name: "the last instant before 12 months", trainings: []Training{{Passed: true, CompletedOn: trainedOn}},
			at: cst(2025, 5, 31, 23, 59, 59), months: 12, want: Qualified, lastPass: trainedOn},
		{name: "exactly 12 months later", trainings: []Training{{Passed: true, CompletedOn: trainedOn}},
			at: cst(2025, 6, 1, 0, 0, 0), months: 12, want: Lapsed, lastPass: trainedOn},
		{name: "a policy of 18 months", trainings: []Training{{Passed: true, CompletedOn: trainedOn}},
			at: cst(2025, 6, 1, 0, 0, 0), months: 18, want: Qualified, lastPass: trainedOn},
		{name: "a policy of 6 months", trainings: []Training{{Passed: true, CompletedOn: trainedOn}},
			at: cst(2024, 12, 1, 0, 0, 0), months: 6, want: Lapsed, lastPass: trainedOn},
		{name: "a later failed retraining does not undo a valid pass", trainings: []Training{
			{Passed: true, CompletedOn: trainedOn}, {Passed: false, CompletedOn: NewDate(2025, time.March, 1)},
		}, at: cst(2025, 4, 1, 0, 0, 0), months: 12, want: Qualified, lastPass: trainedOn},
		{name: "a failed retraining after the pass expired", trainings: []Training{
			{Passed: true, CompletedOn: trainedOn}, {Passed: false, CompletedOn: NewDate(2025, time.July, 1)},
		}, at: cst(2025, 8, 1, 0, 0, 0), months: 12, want: Lapsed, lastPass: trainedOn},
		{name: "retrained in time", trainings: []Training{
			{Passed: true, CompletedOn: trainedOn}, {Passed: true, CompletedOn: NewDate(2025, time.May, 20)},
		}, at: cst(2026, 5, 19, 12, 0, 0), months: 12, want: Qualified, lastPass: NewDate(2025, time.May, 20)},
		{name: "the latest pass counts, whatever the order recorded", trainings: []Training{
			{Passed: true, CompletedOn: NewDate(2023, time.May, 20)}, {Passed: true, CompletedOn: trainedOn},
			{Passed: true, CompletedOn: NewDate(2022, time.May, 20)},
		}, at: cst(2026, 1, 1, 0, 0, 0), months: 12, want: Lapsed, lastPass: trainedOn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := LoadWorker(givenWorker(t, tc.trainings...)).Facts()
			assert.Equal(t, tc.want, w.QualificationAt(tc.at, tc.months))
			assert.Equal(t, tc.lastPass, w.LastPassed(tc.at))
		})
	}

	t.Run("a supervisor needs training too", func(t *testing.T) {
		t.Parallel()
		w, err := RegisterWorker(workerAdmin, workerNow, WorkerRegistered{
			WorkerID: "supervisor-2", Name: "赵强", Role: RoleChildSupervisor, Jurisdiction: mustPlace("370902101"),
		})
		require.NoError(t, err)
		assert.Equal(t, Untrained, w.Facts().QualificationAt(workerNow, 12))
		require.NoError(t, w.RecordTraining(workerAdmin, workerNow, true, NewDate(2025, time.May, 1)))
		assert.Equal(t, Qualified, w.Facts().QualificationAt(workerNow, 12))
	})

	for _, in := range []WorkerRegistered{
		{WorkerID: "cw-1", Name: "周敏", Role: RoleCaseworker, Jurisdiction: mustPlace("370902")},
		{WorkerID: "p-1", Name: "吴刚", Role: RolePartner, Jurisdiction: mustPlace("37"), Agency: agencyPolice},
	} {
		t.Run("a "+in.Role.String()+" needs no training", func(t *testing.T) {
			t.Parallel()
			w, err := RegisterWorker(workerAdmin, workerNow, in)
			require.NoError(t, err)
			assert.Equal(t, Qualified, w.Facts().QualificationAt(workerNow, 12))
		})
	}
}

// TestUntrainedMayOnlyReport: a director or supervisor who never passed
// training may report, forward to the police and respond in an emergency —
// the mandatory report is everyone's duty — and nothing else; a lapsed
// retraining bars nothing.
func TestUntrainedMayOnlyReport(t *testing.T) {
	t.Parallel()
	mandatory := []string{ActReceiveReport.String(), ActForwardToPolice.String(), ActRecordEmergencyResponse.String()}
	for _, role := range []Role{RoleChildDirector, RoleChildSupervisor} {
		for _, a := range []Act{ActReceiveReport, ActForwardToPolice, ActRecordEmergencyResponse, ActRegisterChild,
			ActUpdateChildProfile, ActRecordVisit, ActConfirmEntrustment, ActRecordFollowUp, ActCorrectEntry} {
			if !a.Allows(role) {
				continue
			}
			for _, q := range []Qualification{Qualified, Lapsed, Untrained, {}} {
				by := acting(role, "w-1", "370902101201")
				by.Qualification = q
				err := a.Check(by)
				if q == Untrained && !slices.Contains(mandatory, a.String()) {
					thenForbidden(t, err)
					assert.Contains(t, err.Error(), "初任", "%s, %s", role, a)
					continue
				}
				assert.NoError(t, err, "%s %s may %s", q, role, a)
			}
		}
	}
	// A child registered with the report that is about it is part of the
	// report.
	by := acting(RoleChildDirector, "w-1", "370902101201")
	by.Qualification = Untrained
	_, err := RegisterChild(by, workerNow, aChildForQualification())
	thenForbidden(t, err)
	_, err = RegisterChildForReport(by, workerNow, aChildForQualification())
	assert.NoError(t, err)
}

func aChildForQualification() ChildRegistered {
	return ChildRegistered{ChildID: "c-q", Name: "小芳", BirthDate: NewDate(2016, time.April, 3), Sex: term[sexWords]("female"),
		Jurisdiction: mustPlace("370902101201"), Categories: []Category{categoryLeftBehind},
		Guardian: Guardian{Name: "奶奶", Relation: "grandmother"}, LivingSituation: "与奶奶同住", Schooling: "小学"}
}

func TestWorkerReplay(t *testing.T) {
	t.Parallel()
	w, err := RegisterWorker(workerAdmin, workerNow.AddDate(-1, 0, 0), aDirector())
	require.NoError(t, err)
	require.NoError(t, w.RecordTraining(workerSupervisor, workerNow, false, NewDate(2024, time.July, 1)))
	require.NoError(t, w.RecordTraining(workerAdmin, workerNow, true, NewDate(2024, time.August, 1)))

	history := storedAs(WorkerStream("director-1"), w.Changes()...)
	for name, h := range map[string][]Recorded{"as decided": history, "through JSON": throughJSON(t, history)} {
		loaded := LoadWorker(h)
		assert.Equal(t, int64(3), loaded.Version(), name)
		assert.Empty(t, loaded.Changes(), name)
		assert.Equal(t, w.ID(), loaded.ID(), name)
		assert.Equal(t, w.Name(), loaded.Name(), name)
		assert.Equal(t, w.Role(), loaded.Role(), name)
		assert.Equal(t, w.Jurisdiction(), loaded.Jurisdiction(), name)
		assert.Equal(t, w.Agency(), loaded.Agency(), name)
		assert.Equal(t, w.Trainings(), loaded.Trainings(), name)
		assert.Equal(t, w.RegisteredAt(), loaded.RegisteredAt(), name)
		for _, at := range []time.Time{workerNow.AddDate(-1, 0, 0), workerNow, workerNow.AddDate(1, 0, 0)} {
			assert.Equal(t, w.Facts().QualificationAt(at, 12), loaded.Facts().QualificationAt(at, 12), name)
		}
	}

	h := append(slices.Clone(history), Recorded{Version: 4, Event: CaseReopened{Reason: "stray"}})
	assert.Equal(t, int64(4), LoadWorker(h).Version())
	assert.Equal(t, w.Trainings(), LoadWorker(h).Trainings())
}
