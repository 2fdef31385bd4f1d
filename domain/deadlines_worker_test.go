package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dlWorkerReg is when the test worker is registered: 3 March 2025, 09:00 CST.
var dlWorkerReg = dlCST(2025, time.March, 3, 9, 0)

func dlRegister(role Role, jurisdiction string) *dlStream {
	admin := Actor{Subject: "admin", Role: RoleAdmin, Jurisdiction: All}
	return dlNew(WorkerStream("w1")).by(admin, dlWorkerReg, dlWorkerReg, WorkerRegistered{WorkerID: "w1", Name: "李芳",
		Role: role, Jurisdiction: Jurisdiction{code: jurisdiction}})
}

func (s *dlStream) trained(passed bool, y int, m time.Month, d int) *dlStream {
	on := NewDate(y, m, d)
	return s.late(on.Start(), on.Start().Add(dlDay), WorkerTrainingRecorded{Passed: passed, CompletedOn: on})
}

// dlAtRegistration is the deadline that starts at registration (the
// others start at trainings, which may come before it).
func dlAtRegistration(t *testing.T, ds []Deadline) Deadline {
	t.Helper()
	for _, d := range ds {
		if d.StartedAt.Equal(dlWorkerReg) {
			return d
		}
	}
	require.Fail(t, "no deadline at registration", dlShow(ds))
	return Deadline{}
}

func dlMidnight(y int, m time.Month, d int) time.Time { return dlCST(y, m, d, 0, 0) }

func TestWorkerDeadlines_FirstTraining(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		worker *dlStream
		now    time.Time
		status DeadlineStatus
		met    *time.Time
	}{
		{"trained the day of registration", dlRegister(RoleChildDirector, "370902101201").trained(true, 2025, time.March, 3),
			dlWorkerReg.Add(dlDay), DeadlineMet, dlPtr(dlMidnight(2025, time.March, 3))},
		{"trained before registration", dlRegister(RoleChildDirector, "370902101201").trained(true, 2025, time.February, 20),
			dlWorkerReg.Add(dlDay), DeadlineMet, dlPtr(dlMidnight(2025, time.February, 20))},
		{"trained after registration", dlRegister(RoleChildDirector, "370902101201").trained(true, 2025, time.March, 10),
			dlWorkerReg.Add(30 * dlDay), DeadlineMetLate, dlPtr(dlMidnight(2025, time.March, 10))},
		{"failed, then passed", dlRegister(RoleChildDirector, "370902101201").trained(false, 2025, time.March, 1).trained(true, 2025, time.March, 20),
			dlWorkerReg.Add(30 * dlDay), DeadlineMetLate, dlPtr(dlMidnight(2025, time.March, 20))},
		{"untrained: missed at once", dlRegister(RoleChildDirector, "370902101201"),
			dlWorkerReg.Add(time.Second), DeadlineMissed, nil},
		{"untrained, at the instant of registration", dlRegister(RoleChildDirector, "370902101201"),
			dlWorkerReg, DeadlineOpen, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ds := WorkerDeadlines(foldWorker(tc.worker.all()), PolicyHistory{}, tc.now)
			d := dlAtRegistration(t, ds)
			assert.Equal(t, KindTraining, d.Kind)
			dlSame(t, dlWorkerReg, d.StartedAt, "starts at registration")
			dlSame(t, dlWorkerReg, d.DueAt, "due at registration")
			dlMet(t, d, tc.status, tc.met)
			assert.Equal(t, "w1", d.SubjectID)
			assert.Equal(t, "admin:370902", d.Owner, "a director's training: the county (县级民政部门培训儿童主任)")
		})
	}
}

func TestWorkerDeadlines_Retraining(t *testing.T) {
	t.Parallel()
	t.Run("exactly 12 months later is in time", func(t *testing.T) {
		t.Parallel()
		s := dlRegister(RoleChildSupervisor, "370902101").
			trained(true, 2024, time.March, 5).trained(true, 2025, time.March, 5)
		ds := WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, dlMidnight(2026, time.March, 5).Add(time.Second))
		require.Len(t, ds, 3, dlShow(ds))
		dlSame(t, dlMidnight(2024, time.March, 5), ds[0].StartedAt, "retraining clock starts at the training")
		dlSame(t, dlMidnight(2025, time.March, 5), ds[0].DueAt, "12 months later, midnight CST")
		dlMet(t, ds[0], DeadlineMet, dlPtr(dlMidnight(2025, time.March, 5)))
		dlMet(t, dlAtRegistration(t, ds), DeadlineMet, dlPtr(dlMidnight(2024, time.March, 5)))
		dlSame(t, dlMidnight(2026, time.March, 5), ds[2].DueAt, "due")
		dlMet(t, ds[2], DeadlineMissed, nil)
		for _, d := range ds {
			assert.Equal(t, "admin:3709", d.Owner, "a supervisor's training: the city (市级民政部门培训儿童督导员)")
		}
	})
	t.Run("12 months and a day is late", func(t *testing.T) {
		t.Parallel()
		s := dlRegister(RoleChildDirector, "370902101201").
			trained(true, 2024, time.March, 5).trained(true, 2025, time.March, 6)
		ds := WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, dlMidnight(2025, time.April, 1))
		require.Len(t, ds, 3)
		dlMet(t, ds[0], DeadlineMetLate, dlPtr(dlMidnight(2025, time.March, 6)))
		dlSame(t, dlMidnight(2026, time.March, 6), ds[2].DueAt, "next due")
		dlMet(t, ds[2], DeadlineOpen, nil)
	})
	t.Run("open until the due instant, missed after", func(t *testing.T) {
		t.Parallel()
		s := dlRegister(RoleChildDirector, "370902101201").trained(true, 2025, time.March, 3)
		due := dlMidnight(2026, time.March, 3)
		assert.Equal(t, DeadlineOpen, WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, due)[0].Status)
		assert.Equal(t, DeadlineMissed, WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, due.Add(time.Second))[0].Status)
	})
	t.Run("29 February: 12 months later is 1 March, as MayAct counts", func(t *testing.T) {
		t.Parallel()
		s := dlRegister(RoleChildDirector, "370902101201").trained(true, 2024, time.February, 29)
		ds := WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, dlWorkerReg)
		require.Len(t, ds, 2)
		dlSame(t, dlMidnight(2025, time.March, 1), ds[0].DueAt, "due")
		dlMet(t, ds[0], DeadlineMissed, nil)
		dlMet(t, ds[1], DeadlineMet, dlPtr(dlMidnight(2024, time.February, 29)))
	})
	t.Run("trainings superseded before registration do not start clocks", func(t *testing.T) {
		t.Parallel()
		s := dlRegister(RoleChildDirector, "370902101201").
			trained(true, 2023, time.January, 10).trained(true, 2024, time.June, 1).trained(false, 2024, time.December, 1)
		ds := WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, dlWorkerReg)
		require.Len(t, ds, 2, dlShow(ds))
		dlSame(t, dlMidnight(2025, time.June, 1), ds[0].DueAt, "due")
		dlMet(t, ds[0], DeadlineOpen, nil)
		dlMet(t, ds[1], DeadlineMet, dlPtr(dlMidnight(2024, time.June, 1)))
	})
	t.Run("the retraining period in force when the clock starts", func(t *testing.T) {
		t.Parallel()
		p := DefaultPolicy()
		p.RetrainingMonths = 6
		policies := dlPolicies(dlChange{dlMidnight(2025, time.June, 1), p})
		s := dlRegister(RoleChildDirector, "370902101201").
			trained(true, 2025, time.March, 3).trained(true, 2025, time.July, 1)
		ds := WorkerDeadlines(foldWorker(s.all()), policies, dlMidnight(2025, time.August, 1))
		require.Len(t, ds, 3)
		assert.Equal(t, int64(0), ds[0].PolicyVersion)
		dlSame(t, dlMidnight(2026, time.March, 3), ds[0].DueAt, "12 months under the default policy")
		dlMet(t, ds[0], DeadlineMet, dlPtr(dlMidnight(2025, time.July, 1)))
		assert.Equal(t, int64(1), ds[2].PolicyVersion)
		dlSame(t, dlMidnight(2026, time.January, 1), ds[2].DueAt, "6 months under version 1")
	})
}

func TestWorkerDeadlines_OnlyDirectorsAndSupervisors(t *testing.T) {
	t.Parallel()
	for _, role := range []Role{RoleCaseworker, RolePartner} {
		assert.Nil(t, WorkerDeadlines(foldWorker(dlRegister(role, "370902").all()), PolicyHistory{}, dlWorkerReg.Add(dlDay)), role.String())
	}
	assert.Nil(t, WorkerDeadlines(foldWorker(nil), PolicyHistory{}, dlWorkerReg))
}

func TestWorkerDeadlines_Lifecycle(t *testing.T) {
	t.Parallel()
	admin := Actor{Subject: "admin", Role: RoleAdmin, Jurisdiction: All}
	movedAt := dlCST(2025, time.September, 1, 9, 0)
	t.Run("a transfer to another county hands the retraining to that county", func(t *testing.T) {
		t.Parallel()
		s := dlRegister(RoleChildDirector, "370902101201").trained(true, 2025, time.March, 3).
			by(admin, movedAt, movedAt, WorkerTransferred{From: mustPlace("370902101201"), Jurisdiction: mustPlace("370911001001")})
		ds := WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, movedAt.AddDate(1, 0, 0))
		require.Len(t, ds, 2, dlShow(ds))
		retraining := dlRetraining(t, ds)
		dlSame(t, dlMidnight(2026, time.March, 3), retraining.DueAt, "12 months after the last pass")
		assert.Equal(t, DeadlineMissed, retraining.Status)
		require.Len(t, retraining.Owners, 2)
		assert.Equal(t, []string{"admin:370902", "admin:370911"}, []string{retraining.Owners[0].Owner, retraining.Owners[1].Owner})
		dlSame(t, dlMidnight(2025, time.March, 3), retraining.Owners[0].From, "from the pass")
		dlSame(t, movedAt, retraining.Owners[1].From, "from the transfer")
		assert.Equal(t, "admin:370911", retraining.Owner, "missed in the new county's hands")
		assert.Equal(t, "admin:370902", retraining.OwnerAt(movedAt.Add(-time.Second)))
	})
	t.Run("a transfer within the county changes no owner", func(t *testing.T) {
		t.Parallel()
		s := dlRegister(RoleChildDirector, "370902101201").trained(true, 2025, time.March, 3).
			by(admin, movedAt, movedAt, WorkerTransferred{From: mustPlace("370902101201"), Jurisdiction: mustPlace("370902101202")})
		ds := WorkerDeadlines(foldWorker(s.all()), PolicyHistory{}, movedAt)
		require.Len(t, ds, 2, dlShow(ds))
		assert.Len(t, dlRetraining(t, ds).Owners, 1)
	})
	t.Run("a deactivation drops the retraining not yet due and keeps what was missed", func(t *testing.T) {
		t.Parallel()
		gone := dlRegister(RoleChildSupervisor, "370902101").trained(true, 2025, time.March, 3).
			by(admin, movedAt, movedAt, WorkerDeactivated{Reason: "调离"})
		ds := WorkerDeadlines(foldWorker(gone.all()), PolicyHistory{}, movedAt.AddDate(2, 0, 0))
		require.Len(t, ds, 1, dlShow(ds))
		assert.Equal(t, DeadlineMet, ds[0].Status, "the first training, met before the deactivation")

		never := dlRegister(RoleChildDirector, "370902101201").by(admin, movedAt, movedAt, WorkerDeactivated{Reason: "辞职"})
		ds = WorkerDeadlines(foldWorker(never.all()), PolicyHistory{}, movedAt.AddDate(1, 0, 0))
		require.Len(t, ds, 1, dlShow(ds))
		assert.Equal(t, DeadlineMissed, ds[0].Status, "never trained while in post: missed all the same")
	})
}

// dlRetraining is the one deadline that does not start at registration.
func dlRetraining(t *testing.T, ds []Deadline) Deadline {
	t.Helper()
	for _, d := range ds {
		if !d.StartedAt.Equal(dlWorkerReg) {
			return d
		}
	}
	require.Fail(t, "no retraining deadline", dlShow(ds))
	return Deadline{}
}
