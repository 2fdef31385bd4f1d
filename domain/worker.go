package domain

import (
	"slices"
	"time"
)

// Worker is an entry of the real-name register (实名制) of the people who
// act on cases: child directors, supervisors, caseworkers and partner
// liaisons, with their training record. Its state is its WorkerFacts.
type Worker struct {
	facts   WorkerFacts
	changes []Change
}

// registeredRoles are the roles of the register.
var registeredRoles = []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker, RolePartner}

// RegisterWorker enters a worker in the register. Only an admin may.
func RegisterWorker(by Principal, now time.Time, in WorkerRegistered) (*Worker, error) {
	if err := ActRegisterWorker.Check(by); err != nil {
		return nil, err
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
	return checkPost(in.Role, in.Jurisdiction)
}

// checkPost refuses a jurisdiction that is not a post of the role: a
// director serves a village or community (12 digits), a supervisor a
// township or street (9), a caseworker a county or city protection center
// (6 or 4; 市、县两级未成年人救助保护机构); a partner any division.
func checkPost(role Role, j Jurisdiction) error {
	if j.IsZero() {
		return invalid("jurisdiction", "is required")
	}
	switch role {
	case RoleChildDirector:
		if !j.IsPlace() {
			return invalid("jurisdiction", "%q: a child director serves a village or community, a 12-digit code", j)
		}
	case RoleChildSupervisor:
		if j == All || len(j.code) != 9 {
			return invalid("jurisdiction", "%q: a child supervisor serves a township or street, a 9-digit code", j)
		}
	case RoleCaseworker:
		if j == All || (len(j.code) != 6 && len(j.code) != 4) {
			return invalid("jurisdiction", "%q: a caseworker serves a county or city protection center, a 6- or 4-digit code", j)
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
func (w *Worker) Apply(r Recorded) { w.facts.Apply(r) }

// Changes are the events decided since the worker was loaded, not yet stored.
func (w *Worker) Changes() []Change { return slices.Clone(w.changes) }

// Facts are the worker's entry as the record stands (a copy).
func (w *Worker) Facts() WorkerFacts {
	f := w.facts
	f.Trainings = slices.Clone(f.Trainings)
	f.Posts = slices.Clone(f.Posts)
	return f
}

// ID is the worker's id (the subject of the worker's tokens).
func (w *Worker) ID() string { return w.facts.ID }

// Version is the stream version the worker was loaded at (0 for a new
// worker); Changes are not counted.
func (w *Worker) Version() int64 { return w.facts.Version }

// Name is the worker's real name.
func (w *Worker) Name() string { return w.facts.Name }

// Role is the worker's role.
func (w *Worker) Role() Role { return w.facts.Role }

// Jurisdiction is the division the worker serves.
func (w *Worker) Jurisdiction() Jurisdiction { return w.facts.Jurisdiction }

// Agency is a partner's agency; zero for other roles.
func (w *Worker) Agency() Agency { return w.facts.Agency }

// Trainings are the worker's trainings in the order recorded.
func (w *Worker) Trainings() []Training { return slices.Clone(w.facts.Trainings) }

// RegisteredAt is when the worker was registered.
func (w *Worker) RegisteredAt() time.Time { return w.facts.RegisteredAt }

// RecordTraining records a training the worker completed, passed or not.
// Its business time is the start of the day it was completed on.
func (w *Worker) RecordTraining(by Principal, now time.Time, passed bool, completedOn Date) error {
	if err := ActRecordTraining.Check(by); err != nil {
		return err
	}
	if by.Role != RoleAdmin && by.Subject == w.facts.ID {
		return forbidden("a worker may not record their own training")
	}
	if completedOn.IsZero() {
		return invalid("completed_on", "is required")
	}
	if completedOn.Start().After(now) {
		return &ImpossibleError{Field: "completed_on", Message: completedOn.String() + " lies in the future"}
	}
	if !w.facts.DeactivatedAt.IsZero() && !completedOn.Start().Before(w.facts.DeactivatedAt) {
		return ruleBroken(RuleWorkerInactive, "worker %s was deactivated on %s, before %s", w.facts.ID,
			w.facts.DeactivatedAt.In(ChinaStandardTime).Format(time.DateOnly), completedOn)
	}
	w.recordAt(by, completedOn.Start(), WorkerTrainingRecorded{Passed: passed, CompletedOn: completedOn})
	return nil
}

func (w *Worker) recordAt(by Principal, at time.Time, e Event) {
	w.changes = append(w.changes, Change{Event: e, Actor: by.Actor, OccurredAt: at})
	w.facts.apply(e, at, WorkerStream(w.facts.ID))
}

// NeedsRegister reports whether a role acts only as a worker of the
// real-name register: child directors and supervisors (their tokens and
// acts are checked against it).
func NeedsRegister(r Role) bool { return r == RoleChildDirector || r == RoleChildSupervisor }

// InRegister reports whether a role's tokens are checked against the
// real-name register when their subject is registered: every role of the
// register (directors, supervisors, caseworkers, partner liaisons).
func InRegister(r Role) bool { return slices.Contains(registeredRoles, r) }

// CheckRegistered is the one test of a principal against the real-name
// register (w is the entry under the principal's subject; zero if there is
// none). A child director or supervisor acts only as a registered worker of
// that role; any registered worker acts only while active (not
// deactivated) and only within the post it holds now, so a token issued
// before a transfer or a deactivation no longer serves. An unregistered
// caseworker or partner passes (their register entry is optional). The
// answer is nil or a *ForbiddenError.
func CheckRegistered(p Principal, w WorkerFacts) error {
	if w.ID == "" {
		if NeedsRegister(p.Role) {
			return forbidden("%s %s is not in the worker register", p.Role, p.Subject)
		}
		return nil
	}
	switch {
	case !InRegister(p.Role):
		return nil
	case w.Role != p.Role:
		return forbidden("%s %s is registered as %s", p.Role, p.Subject, w.Role)
	case !w.Active():
		return forbidden("%s %s was deactivated on %s", p.Role, p.Subject, w.DeactivatedAt.In(ChinaStandardTime).Format(time.DateOnly))
	case !w.Jurisdiction.Covers(p.Jurisdiction):
		return forbidden("jurisdiction %s lies outside the post %s %s holds now (%s)", p.Jurisdiction, p.Role, p.Subject, w.Jurisdiction)
	}
	return nil
}
