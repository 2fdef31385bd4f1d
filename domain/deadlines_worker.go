package domain

import (
	"slices"
	"time"
)

// WorkerDeadlines derives the training obligations of one worker from its
// entry (folded from a prefix of its stream, as it stood; judged at now). Only
// child directors and supervisors have them: the first is due at
// registration, since they may act only after passing training, and is met
// by the last passed training completed on or before it, else by the first
// one after (met_late); each passed training from then on starts a
// retraining deadline due the policy's RetrainingMonths later (dates begin
// at midnight China Standard Time), met by the next passed training. A
// director's training is owned by the township's supervisors
// ("child_supervisor:<township>"), a supervisor's by the county's admin
// ("admin:<county>").
func WorkerDeadlines(w WorkerFacts, policies PolicyHistory, now time.Time) []Deadline {
	if w.ID == "" {
		return nil
	}
	regAt := w.RegisteredAt
	var passed []time.Time
	for _, t := range w.Trainings {
		if t.Passed && !t.CompletedOn.IsZero() {
			passed = append(passed, t.CompletedOn.Start())
		}
	}
	var owner string
	switch w.Role {
	case RoleChildDirector:
		owner = "child_supervisor:" + codePrefix(w.Jurisdiction, 9)
	case RoleChildSupervisor:
		owner = "admin:" + codePrefix(w.Jurisdiction, 6)
	default:
		return nil
	}
	workerID := w.ID
	sortTimes(passed)
	passed = slices.CompactFunc(passed, time.Time.Equal)

	out := make([]Deadline, 0, 1+len(passed))
	emit := func(start, due time.Time, met *time.Time, version int64) {
		d := Deadline{Kind: KindTraining, SubjectID: workerID, StartedAt: start, DueAt: due, MetAt: met,
			PolicyVersion: version, Owners: []OwnerSpan{{Owner: owner, From: start}}}
		d, _ = settleDeadline(d, now, nil)
		out = append(out, d)
	}

	// Trainings superseded before registration do not count: the chain
	// starts with the last one on or before it.
	i := 0
	for i+1 < len(passed) && !passed[i+1].After(regAt) {
		i++
	}
	passed = passed[i:]
	_, version := policies.InForce(regAt)
	var met *time.Time
	if len(passed) > 0 {
		met = &passed[0]
	}
	emit(regAt, regAt, met, version)
	for k, start := range passed {
		p, version := policies.InForce(start)
		met = nil
		if k+1 < len(passed) {
			met = &passed[k+1]
		}
		emit(start, start.AddDate(0, p.RetrainingMonths, 0), met, version)
	}
	sortDeadlines(out)
	return out
}
