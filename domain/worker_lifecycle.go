package domain

import (
	"fmt"
	"time"
)

// Rules of the register (HTTP 409).
const (
	// RuleWorkerInactive: the worker was deactivated.
	RuleWorkerInactive = "worker_inactive"
	// RuleSamePost: a transfer to the post the worker already holds.
	RuleSamePost = "same_post"
)

// Deactivate takes the worker off the register's active posts at at (its
// business time, not in the future and not before the worker's current
// post began), with a reason; only an admin may. From then on the worker
// holds no post: its obligations pass to whoever holds the post next (or
// stay vacant), and its tokens stop working.
func (w *Worker) Deactivate(by Principal, now, at time.Time, reason string) error {
	if err := ActDeactivateWorker.Check(by); err != nil {
		return err
	}
	if err := requiredText("reason", reason, MaxTextRunes); err != nil {
		return err
	}
	if err := w.checkLifecycleAt(at, now); err != nil {
		return err
	}
	w.recordAt(by, at, WorkerDeactivated{Reason: reason})
	return nil
}

// Transfer moves the worker to another post at at (its business time, not
// in the future and not before the current post began); only an admin may.
// The new jurisdiction must be a post of the worker's role and differ from
// the current one.
func (w *Worker) Transfer(by Principal, now, at time.Time, to Jurisdiction) error {
	if err := ActTransferWorker.Check(by); err != nil {
		return err
	}
	if err := checkPost(w.facts.Role, to); err != nil {
		return err
	}
	if err := w.checkLifecycleAt(at, now); err != nil {
		return err
	}
	if to == w.facts.Jurisdiction {
		return ruleBroken(RuleSamePost, "worker %s already serves %s", w.facts.ID, to)
	}
	w.recordAt(by, at, WorkerTransferred{From: w.facts.Jurisdiction, Jurisdiction: to})
	return nil
}

// checkLifecycleAt refuses a change to a deactivated worker, and a
// business time in the future or before the worker's current post began
// (the register's history is kept in order).
func (w *Worker) checkLifecycleAt(at, now time.Time) error {
	if !w.facts.DeactivatedAt.IsZero() {
		return ruleBroken(RuleWorkerInactive, "worker %s was deactivated on %s", w.facts.ID,
			w.facts.DeactivatedAt.In(ChinaStandardTime).Format(time.DateOnly))
	}
	if err := checkOccurredAt("occurred_at", at, now, Date{}); err != nil {
		return err
	}
	if since := w.postSince(); at.Before(since) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before worker %s took up its current post (%s)",
			at.Format(time.RFC3339), w.facts.ID, since.In(ChinaStandardTime).Format(time.RFC3339))}
	}
	return nil
}

// postSince is when the worker's current post began.
func (w *Worker) postSince() time.Time {
	if n := len(w.facts.Posts); n > 0 {
		return w.facts.Posts[n-1].From
	}
	return w.facts.RegisteredAt
}

// Active reports whether the worker holds a post now.
func (w *Worker) Active() bool { return w.facts.Active() }
