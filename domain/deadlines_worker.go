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
// at midnight China Standard Time), met by the next passed training. The
// training level owns it (民发〔2019〕34号: the county trains directors,
// the city trains supervisors): a director's training is owned by the
// county of the village the director serves at each moment
// ("admin:<county>"), a supervisor's by the city ("admin:<city>"), so a
// transfer hands it over. A deactivation ends the obligations: one not met
// by then and due later is dropped, one already overdue stays missed.
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
	level := trainingLevel[w.Role]
	if level == 0 {
		return nil
	}
	trainers := make([]OwnerSpan, 0, len(w.Posts))
	for _, p := range w.Posts {
		trainers = append(trainers, OwnerSpan{Owner: "admin:" + codePrefix(p.Jurisdiction, level), From: p.From})
	}
	if len(trainers) == 0 {
		trainers = []OwnerSpan{{Owner: "admin:" + codePrefix(w.Jurisdiction, level), From: regAt}}
	}
	var ended *time.Time
	if !w.DeactivatedAt.IsZero() {
		ended = &w.DeactivatedAt
	}
	workerID := w.ID
	sortTimes(passed)
	passed = slices.CompactFunc(passed, time.Time.Equal)

	out := make([]Deadline, 0, 1+len(passed))
	emit := func(start, due time.Time, met *time.Time, version int64) {
		d := Deadline{Kind: KindTraining, SubjectID: workerID, StartedAt: start, DueAt: due, MetAt: met,
			PolicyVersion: version, Owners: ownersFrom(start, trainers[0].Owner, trainers)}
		if d, ok := settleDeadline(d, now, ended); ok {
			out = append(out, d)
		}
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

// trainingLevel is how many digits of a worker's post name the level that
// trains it: the county (6) for a director, the city (4) for a supervisor.
var trainingLevel = map[Role]int{RoleChildDirector: 6, RoleChildSupervisor: 4}
