package domain

import (
	"fmt"
	"slices"
	"time"
)

// Worker is an entry of the real-name register (实名制) of the people who
// act on cases: child directors, supervisors, caseworkers and partner
// liaisons, with their training record.
type Worker struct {
	id           string
	version      int64
	name         string
	role         Role
	jurisdiction Jurisdiction
	agency       Agency
	trainings    []Training
	registeredAt time.Time
	changes      []Change
}

// Training is one recorded training of a worker.
type Training struct {
	Passed      bool
	CompletedOn Date
}

// registeredRoles are the roles of the register.
var registeredRoles = []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker, RolePartner}

// RegisterWorker enters a worker in the register. Only an admin may.
func RegisterWorker(by Principal, now time.Time, in WorkerRegistered) (*Worker, error) {
	if by.Role != RoleAdmin {
		return nil, forbidden("a %s may not register workers; only an admin may", roleLabel(by.Role))
	}
	if err := checkWorker(in); err != nil {
		return nil, err
	}
	w := &Worker{}
	w.recordAt(by, now, in)
	return w, nil
}

func checkWorker(in WorkerRegistered) error {
	if err := requiredText("worker_id", in.WorkerID, MaxIDRunes); err != nil {
		return err
	}
	if err := requiredText("name", in.Name, MaxNameRunes); err != nil {
		return err
	}
	if in.Role.IsZero() {
		return invalid("role", "is required")
	}
	if !slices.Contains(registeredRoles, in.Role) {
		return invalid("role", "%q is not a role of the register: child_director, child_supervisor, caseworker or partner", in.Role)
	}
	switch {
	case in.Role == RolePartner && in.Agency.IsZero():
		return invalid("agency", "a partner speaks for an agency, which is required")
	case in.Role != RolePartner && !in.Agency.IsZero():
		return invalid("agency", "only a partner has an agency")
	}
	j := in.Jurisdiction
	if j.IsZero() {
		return invalid("jurisdiction", "is required")
	}
	switch in.Role {
	case RoleChildDirector:
		if !j.IsPlace() {
			return invalid("jurisdiction", "%q: a child director serves a village or community, a 12-digit code", j)
		}
	case RoleChildSupervisor:
		if j == All || len(j.code) != 9 {
			return invalid("jurisdiction", "%q: a child supervisor serves a township or street, a 9-digit code", j)
		}
	case RoleCaseworker:
		if j == All || len(j.code) < 6 {
			return invalid("jurisdiction", "%q: a caseworker serves a county or city center, a code of at least 6 digits", j)
		}
	}
	return nil
}

// LoadWorker rebuilds a worker from its stream.
func LoadWorker(history []Recorded) *Worker {
	w := &Worker{}
	for _, r := range history {
		w.Apply(r)
	}
	return w
}

// Apply applies a stored event of the worker's stream. It never fails;
// events of other types only advance the version.
func (w *Worker) Apply(r Recorded) {
	w.apply(r.Event, r.OccurredAt)
	w.version = r.Version
}

// Changes are the events decided since the worker was loaded, not yet stored.
func (w *Worker) Changes() []Change { return slices.Clone(w.changes) }

// ID is the worker's id (the subject of the worker's tokens).
func (w *Worker) ID() string { return w.id }

// Version is the stream version the worker was loaded at (0 for a new
// worker); Changes are not counted.
func (w *Worker) Version() int64 { return w.version }

// Name is the worker's real name.
func (w *Worker) Name() string { return w.name }

// Role is the worker's role.
func (w *Worker) Role() Role { return w.role }

// Jurisdiction is the division the worker serves.
func (w *Worker) Jurisdiction() Jurisdiction { return w.jurisdiction }

// Agency is a partner's agency; zero for other roles.
func (w *Worker) Agency() Agency { return w.agency }

// Trainings are the worker's trainings in the order recorded.
func (w *Worker) Trainings() []Training { return slices.Clone(w.trainings) }

// RegisteredAt is when the worker was registered.
func (w *Worker) RegisteredAt() time.Time { return w.registeredAt }

// RecordTraining records a training the worker completed, passed or not.
// Its business time is the start of the day it was completed on.
func (w *Worker) RecordTraining(by Principal, now time.Time, passed bool, completedOn Date) error {
	if by.Role != RoleAdmin && by.Role != RoleChildSupervisor {
		return forbidden("a %s may not record training; admins and child supervisors may", roleLabel(by.Role))
	}
	if by.Role != RoleAdmin && by.Subject != "" && by.Subject == w.id {
		return forbidden("a worker may not record their own training")
	}
	if completedOn.IsZero() {
		return invalid("completed_on", "is required")
	}
	if completedOn.Start().After(now) {
		return &ImpossibleError{Field: "completed_on", Message: completedOn.String() + " lies in the future"}
	}
	w.recordAt(by, completedOn.Start(), WorkerTrainingRecorded{Passed: passed, CompletedOn: completedOn})
	return nil
}

// MayAct says whether the worker may act at time at, given the policy's
// retraining period in months. Child directors and supervisors need a
// passed training, completed on or before at and less than retrainingMonths
// months before it (初任…经培训考核合格后方可开展工作; 每年至少轮训一次);
// other roles need none. The answer is nil or a *ForbiddenError.
func (w *Worker) MayAct(at time.Time, retrainingMonths int) error {
	if w.role != RoleChildDirector && w.role != RoleChildSupervisor {
		return nil
	}
	var last Date
	for _, t := range w.trainings {
		if !t.Passed || t.CompletedOn.Start().After(at) {
			continue
		}
		if t.CompletedOn.Start().AddDate(0, retrainingMonths, 0).After(at) {
			return nil
		}
		if last.IsZero() || t.CompletedOn.Start().After(last.Start()) {
			last = t.CompletedOn
		}
	}
	if last.IsZero() {
		return forbidden("%s %s has not yet passed training; a newly appointed %s may act only after passing it (初任…经培训考核合格后方可开展工作)",
			w.role, w.id, w.role)
	}
	return forbidden("%s %s last passed training on %s, more than %s ago; retraining is due at least every %s (每年至少轮训一次)",
		w.role, w.id, last, monthsLabel(retrainingMonths), monthsLabel(retrainingMonths))
}

func monthsLabel(n int) string {
	if n == 1 {
		return "1 month"
	}
	return fmt.Sprintf("%d months", n)
}

func (w *Worker) recordAt(by Principal, at time.Time, e Event) {
	w.changes = append(w.changes, Change{Event: e, Actor: by.Actor, OccurredAt: at})
	w.apply(e, at)
}

func (w *Worker) apply(e Event, at time.Time) {
	switch e := e.(type) {
	case WorkerRegistered:
		w.id, w.name, w.role, w.jurisdiction, w.agency = e.WorkerID, e.Name, e.Role, e.Jurisdiction, e.Agency
		w.registeredAt = at
	case WorkerTrainingRecorded:
		w.trainings = append(w.trainings, Training(e))
	}
}
