package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lcRegistered is when the lifecycle tests' director was registered.
var lcRegistered = time.Date(2024, 1, 2, 9, 0, 0, 0, ChinaStandardTime)

// givenDirector is a director registered at lcRegistered, loaded from its
// stored stream, with what was decided after it applied and stored too.
func givenDirector(t *testing.T, then ...func(w *Worker)) *Worker {
	t.Helper()
	w, err := RegisterWorker(workerAdmin, lcRegistered, aDirector())
	require.NoError(t, err)
	for _, f := range then {
		f(w)
	}
	return LoadWorker(storedAs(WorkerStream("director-1"), w.Changes()...))
}

func TestWorkerTransfer(t *testing.T) {
	t.Parallel()
	movedAt := workerNow.Add(-time.Hour)
	t.Run("moves the worker to the new post from its business time", func(t *testing.T) {
		t.Parallel()
		w := givenDirector(t)
		require.NoError(t, w.Transfer(workerAdmin, workerNow, movedAt, mustPlace("370902101202")))
		assert.Equal(t, []Change{{Event: WorkerTransferred{From: mustPlace("370902101201"), Jurisdiction: mustPlace("370902101202")},
			Actor: workerAdmin.Actor, OccurredAt: movedAt}}, w.Changes())
		f := w.Facts()
		assert.Equal(t, mustPlace("370902101202"), f.Jurisdiction)
		before, ok := f.PostAt(movedAt.Add(-time.Second))
		assert.True(t, ok)
		assert.Equal(t, mustPlace("370902101201"), before)
		after, ok := f.PostAt(movedAt)
		assert.True(t, ok)
		assert.Equal(t, mustPlace("370902101202"), after)
		_, ok = f.PostAt(lcRegistered.Add(-time.Second))
		assert.False(t, ok, "no post before registration")
		assert.Equal(t, []Tenure{{Jurisdiction: mustPlace("370902101201"), From: lcRegistered, Until: movedAt},
			{Jurisdiction: mustPlace("370902101202"), From: movedAt}}, f.Tenures())
	})
	for _, tc := range []struct {
		name string
		by   Principal
		at   time.Time
		to   string
		then func(t *testing.T, err error)
	}{
		{"only an admin", workerSupervisor, movedAt, "370902101202", func(t *testing.T, err error) { thenForbidden(t, err) }},
		{"a post of the role", workerAdmin, movedAt, "370902101", func(t *testing.T, err error) { thenInvalid(t, err, "jurisdiction") }},
		{"a jurisdiction", workerAdmin, movedAt, "", func(t *testing.T, err error) { thenInvalid(t, err, "jurisdiction") }},
		{"another post", workerAdmin, movedAt, "370902101201", func(t *testing.T, err error) { thenRule(t, err, RuleSamePost) }},
		{"not in the future", workerAdmin, workerNow.Add(time.Hour), "370902101202", func(t *testing.T, err error) { thenImpossible(t, err, "occurred_at") }},
		{"a business time", workerAdmin, time.Time{}, "370902101202", func(t *testing.T, err error) { thenInvalid(t, err, "occurred_at") }},
		{"not before the post began", workerAdmin, lcRegistered.Add(-time.Minute), "370902101202", func(t *testing.T, err error) { thenImpossible(t, err, "occurred_at") }},
	} {
		t.Run("needs "+tc.name, func(t *testing.T) {
			t.Parallel()
			w := givenDirector(t)
			var to Jurisdiction
			if tc.to != "" {
				to = mustPlace(tc.to)
			}
			tc.then(t, w.Transfer(tc.by, workerNow, tc.at, to))
			assert.Empty(t, w.Changes())
		})
	}
	t.Run("not before the last transfer", func(t *testing.T) {
		t.Parallel()
		w := givenDirector(t, func(w *Worker) {
			require.NoError(t, w.Transfer(workerAdmin, workerNow, movedAt, mustPlace("370902101202")))
		})
		thenImpossible(t, w.Transfer(workerAdmin, workerNow, movedAt.Add(-time.Minute), mustPlace("370902101203")), "occurred_at")
		require.NoError(t, w.Transfer(workerAdmin, workerNow, movedAt, mustPlace("370902101203")), "at the same instant: kept in order")
	})
}

func TestWorkerDeactivate(t *testing.T) {
	t.Parallel()
	leftAt := workerNow.Add(-48 * time.Hour)
	t.Run("ends every post from its business time", func(t *testing.T) {
		t.Parallel()
		w := givenDirector(t)
		require.True(t, w.Active())
		require.NoError(t, w.Deactivate(workerAdmin, workerNow, leftAt, "调任乡镇"))
		assert.Equal(t, []Change{{Event: WorkerDeactivated{Reason: "调任乡镇"}, Actor: workerAdmin.Actor, OccurredAt: leftAt}}, w.Changes())
		f := w.Facts()
		assert.False(t, f.Active())
		_, ok := f.PostAt(leftAt)
		assert.False(t, ok, "no post from the deactivation on")
		held, ok := f.PostAt(leftAt.Add(-time.Nanosecond))
		assert.True(t, ok)
		assert.Equal(t, mustPlace("370902101201"), held)
		assert.Equal(t, []Tenure{{Jurisdiction: mustPlace("370902101201"), From: lcRegistered, Until: leftAt}}, f.Tenures())
	})
	t.Run("refuses", func(t *testing.T) {
		t.Parallel()
		w := givenDirector(t)
		thenForbidden(t, w.Deactivate(workerSupervisor, workerNow, leftAt, "调任"))
		thenInvalid(t, w.Deactivate(workerAdmin, workerNow, leftAt, " "), "reason")
		thenImpossible(t, w.Deactivate(workerAdmin, workerNow, workerNow.Add(time.Hour), "调任"), "occurred_at")
		thenImpossible(t, w.Deactivate(workerAdmin, workerNow, lcRegistered.Add(-time.Hour), "调任"), "occurred_at")
		assert.Empty(t, w.Changes())
	})
	t.Run("a deactivated worker is neither moved, deactivated again nor trained after it", func(t *testing.T) {
		t.Parallel()
		w := givenDirector(t, func(w *Worker) { require.NoError(t, w.Deactivate(workerAdmin, workerNow, leftAt, "辞职")) })
		thenRule(t, w.Deactivate(workerAdmin, workerNow, workerNow, "辞职"), RuleWorkerInactive)
		thenRule(t, w.Transfer(workerAdmin, workerNow, workerNow, mustPlace("370902101202")), RuleWorkerInactive)
		thenRule(t, w.RecordTraining(workerAdmin, workerNow, true, NewDate(2025, time.June, 1)), RuleWorkerInactive)
		assert.Empty(t, w.Changes())
		require.NoError(t, w.RecordTraining(workerAdmin, workerNow, true, NewDate(2025, time.May, 1)),
			"a training completed while in post may be recorded later")
	})
}
