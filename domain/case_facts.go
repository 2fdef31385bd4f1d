package domain

import (
	"slices"
	"sort"
	"time"
)

// CaseFacts is what the record says about one case, folded once from its
// stream by Apply. The case's rules (Case), the case view, the statistics,
// the deadlines and the trace-back report all read a case through it, so
// they cannot disagree. It holds no personal data — no reporter's name or
// phone, no summary or note — so a read model may keep it whole (its JSON
// names are short for that reason).
//
// Two orders meet here. State — status, assignee, referral statuses, the
// temporary guardianships — follows the stream, as the rules saw each event
// when it was decided. The moments clocks are measured by — first police
// report, first response, assessments, assignments, closures — are business
// times (occurred_at), kept sorted whatever order they were entered in: a
// back-dated entry counts from when it happened, everywhere.
//
// A stream holds one report: a second ReportReceived changes nothing, and
// an event before the report changes nothing but the version.
type CaseFacts struct {
	ID           string       `json:"id"`
	ChildID      string       `json:"child"`
	Jurisdiction Jurisdiction `json:"j"`
	Status       CaseStatus   `json:"status"`
	Source       Source       `json:"source"`
	Concerns     []Concern    `json:"concerns"`
	// ReportedRisk is the risk the report gave: the first-response and
	// assignment clocks run by it. Risk is the latest: the reported one
	// until an assessment sets it anew.
	ReportedRisk Risk `json:"rrisk"`
	Risk         Risk `json:"risk"`
	// ReceivedAt is when the report was received (business time), Receiver
	// who recorded it (the police-report clock is theirs).
	ReceivedAt time.Time `json:"received"`
	Receiver   Actor     `json:"receiver"`
	// Assignee is the caseworker responsible now ("" before assignment);
	// Assignments every assignment by business time.
	Assignee    string      `json:"assignee,omitempty"`
	Assignments []OwnerSpan `json:"assigned,omitempty"`
	// PoliceReportedAt is the earliest forward to the police,
	// FirstResponseAt the earliest contact with the child (an emergency
	// response, a follow-up or an assessment).
	PoliceReportedAt *time.Time `json:"police,omitempty"`
	FirstResponseAt  *time.Time `json:"response,omitempty"`
	// Assessments, GuardianshipAssessments (assessments that assess the
	// guardianship), FollowUps and MajorIncidents are business times, sorted.
	Assessments             []time.Time `json:"assessed,omitempty"`
	GuardianshipAssessments []time.Time `json:"gassessed,omitempty"`
	FollowUps               []time.Time `json:"followups,omitempty"`
	MajorIncidents          []time.Time `json:"incidents,omitempty"`
	// Guardianships are the temporary guardianships in the order started;
	// at most the last is active.
	Guardianships []TemporaryGuardianship `json:"guardianships,omitempty"`
	// Referrals are the referrals in the order made.
	Referrals []Referral `json:"referrals,omitempty"`
	// ClosedAt and ClosureReason tell when and why the case was closed, while
	// it is; Closures are every closure by business time.
	ClosedAt      *time.Time    `json:"closed,omitempty"`
	ClosureReason ClosureReason `json:"reason,omitzero"`
	Closures      []Closure     `json:"closures,omitempty"`
	// Reopenings are the reopenings, and PoliceAcknowledgments the police's
	// acknowledgments of the forwarded report, by business time.
	Reopenings            []time.Time `json:"reopened,omitempty"`
	PoliceAcknowledgments []time.Time `json:"police_ack,omitempty"`
	// Version and LastPosition are the stream version and global position
	// of the last stored event applied; Horizon is the latest business time
	// among the events.
	Version      int64     `json:"v"`
	LastPosition int64     `json:"pos"`
	Horizon      time.Time `json:"horizon"`
}

// Closure is one closing of a case.
type Closure struct {
	At     time.Time     `json:"at"`
	Reason ClosureReason `json:"reason"`
}

// FoldCase folds a case's stream into its facts.
func FoldCase(history []Recorded) CaseFacts {
	var f CaseFacts
	for _, r := range history {
		f.Apply(r)
	}
	return f
}

// Opened reports whether a report has opened the case.
func (f *CaseFacts) Opened() bool { return f.ID != "" }

// OpenAt reports whether the case was open at t by business time: received
// by then, and not closed since, or reopened after its last closure.
func (f CaseFacts) OpenAt(t time.Time) bool {
	if !f.Opened() || f.ReceivedAt.After(t) {
		return false
	}
	var closed, reopened time.Time
	for _, c := range f.Closures {
		if !c.At.After(t) {
			closed = c.At
		}
	}
	for _, r := range f.Reopenings {
		if !r.After(t) {
			reopened = r
		}
	}
	return closed.IsZero() || reopened.After(closed)
}

// Apply folds one stored event of the case's stream into the facts. It
// never fails: an event the case does not know changes nothing but the
// version.
func (f *CaseFacts) Apply(r Recorded) {
	f.apply(r.Event, r.Actor, r.OccurredAt, r.StreamID)
	if r.Version > 0 {
		f.Version = r.Version
	} else {
		f.Version++
	}
	f.LastPosition = r.Position
}

// apply changes the facts by one event of the stream, decided or stored.
func (f *CaseFacts) apply(ev Event, by Actor, at time.Time, stream StreamID) {
	if at.After(f.Horizon) {
		f.Horizon = at
	}
	if e, ok := ev.(ReportReceived); ok {
		if f.Opened() {
			return
		}
		f.ID, f.ChildID, f.Jurisdiction = e.CaseID, e.ChildID, e.Jurisdiction
		if f.ID == "" {
			f.ID = stream.ID()
		}
		f.Status, f.Source, f.Concerns = StatusOpen, e.Source, slices.Clone(e.Concerns)
		f.ReportedRisk, f.Risk = e.Risk, e.Risk
		f.ReceivedAt, f.Receiver = at, by
		return
	}
	if !f.Opened() {
		return
	}
	switch e := ev.(type) {
	case ReportForwardedToPolice:
		earliest(&f.PoliceReportedAt, at)
	case EmergencyResponseRecorded:
		earliest(&f.FirstResponseAt, at)
	case FollowUpRecorded:
		earliest(&f.FirstResponseAt, at)
		f.FollowUps = insertTime(f.FollowUps, at)
	case AssessmentCompleted:
		earliest(&f.FirstResponseAt, at)
		f.Assessments = insertTime(f.Assessments, at)
		if e.GuardianshipAssessed || e.GuardianshipAssessment != "" {
			f.GuardianshipAssessments = insertTime(f.GuardianshipAssessments, at)
		}
		if !e.Risk.IsZero() {
			f.Risk = e.Risk
		}
	case CaseAssigned:
		f.Assignee = e.WorkerID
		i := sort.Search(len(f.Assignments), func(i int) bool { return f.Assignments[i].From.After(at) })
		f.Assignments = slices.Insert(f.Assignments, i, OwnerSpan{Owner: e.WorkerID, From: at})
	case ReferralMade:
		if f.referral(e.ReferralID) == nil {
			f.Referrals = append(f.Referrals, Referral{ID: e.ReferralID, Agency: e.Agency, Service: e.Service,
				Status: ReferralStatusPending, MadeAt: at})
		}
	case ReferralAccepted:
		f.answer(e.ReferralID, ReferralStatusAccepted, at)
	case ReferralDeclined:
		f.answer(e.ReferralID, ReferralStatusDeclined, at)
	case ReferralCompleted:
		f.answer(e.ReferralID, ReferralStatusCompleted, at)
	case TemporaryGuardianshipStarted:
		// The rules start none while one is active; in a stream that does
		// anyway, the new one supersedes it: at most the last is active.
		if g := f.activeGuardianship(); g != nil {
			g.Active = false
		}
		f.Guardianships = append(f.Guardianships, TemporaryGuardianship{Active: true, Ground: e.Ground,
			Placement: e.Placement, StartedAt: at})
	case TemporaryGuardianshipEnded:
		if g := f.activeGuardianship(); g != nil {
			ended := at
			g.Active, g.EndedAt = false, &ended
		}
	case MajorIncidentDeclared:
		f.MajorIncidents = insertTime(f.MajorIncidents, at)
	case CaseClosed:
		closed := at
		f.Status, f.ClosedAt, f.ClosureReason = StatusClosed, &closed, e.Reason
		i := sort.Search(len(f.Closures), func(i int) bool { return f.Closures[i].At.After(at) })
		f.Closures = slices.Insert(f.Closures, i, Closure{At: at, Reason: e.Reason})
	case CaseReopened:
		if f.Status == StatusClosed {
			f.Reopenings = insertTime(f.Reopenings, at)
		}
		f.Status, f.ClosedAt, f.ClosureReason = StatusOpen, nil, ClosureReason{}
	case PoliceAcknowledged:
		f.PoliceAcknowledgments = insertTime(f.PoliceAcknowledgments, at)
	case CaseTransferred:
		f.Jurisdiction, f.Assignee = e.Jurisdiction, ""
	}
	// CaseConferenceHeld, GuardianshipInterventionRecorded and
	// EntryCorrected are facts of the record that no rule, view or clock
	// reads beyond the timeline.
}

// answer records an agency's answer to a referral: its status, as the
// stream has it, and the earliest answer (accepting, declining or
// completing it) by business time.
func (f *CaseFacts) answer(id string, status ReferralStatus, at time.Time) {
	if r := f.referral(id); r != nil {
		r.Status = status
		earliest(&r.AnsweredAt, at)
	}
}

// referral finds a referral of the case by id, or nil.
func (f *CaseFacts) referral(id string) *Referral {
	for i := range f.Referrals {
		if f.Referrals[i].ID == id {
			return &f.Referrals[i]
		}
	}
	return nil
}

// activeGuardianship is the active temporary guardianship, or nil.
func (f *CaseFacts) activeGuardianship() *TemporaryGuardianship {
	if n := len(f.Guardianships); n > 0 && f.Guardianships[n-1].Active {
		return &f.Guardianships[n-1]
	}
	return nil
}

// Guardianship is the latest temporary guardianship of the child, or nil if
// none was ever started.
func (f CaseFacts) Guardianship() *TemporaryGuardianship {
	if len(f.Guardianships) == 0 {
		return nil
	}
	g := f.Guardianships[len(f.Guardianships)-1].clone()
	return &g
}

// GuardianshipActive reports whether temporary guardianship is active.
func (f CaseFacts) GuardianshipActive() bool {
	n := len(f.Guardianships)
	return n > 0 && f.Guardianships[n-1].Active
}

// FirstAssessedAt is the earliest assessment, or nil.
func (f CaseFacts) FirstAssessedAt() *time.Time { return firstOf(f.Assessments) }

// PendingReferrals are the ids of the referrals still awaiting an answer or
// their completion, in the order made.
func (f CaseFacts) PendingReferrals() []string {
	var ids []string
	for _, r := range f.Referrals {
		if r.Status == ReferralStatusPending || r.Status == ReferralStatusAccepted {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Clone is a deep copy: the facts share nothing with the copy.
func (f CaseFacts) Clone() CaseFacts {
	f.Concerns = slices.Clone(f.Concerns)
	f.Assignments = slices.Clone(f.Assignments)
	f.PoliceReportedAt, f.FirstResponseAt, f.ClosedAt = clonePtr(f.PoliceReportedAt), clonePtr(f.FirstResponseAt), clonePtr(f.ClosedAt)
	f.Assessments, f.GuardianshipAssessments = slices.Clone(f.Assessments), slices.Clone(f.GuardianshipAssessments)
	f.FollowUps, f.MajorIncidents, f.Closures = slices.Clone(f.FollowUps), slices.Clone(f.MajorIncidents), slices.Clone(f.Closures)
	f.Reopenings, f.PoliceAcknowledgments = slices.Clone(f.Reopenings), slices.Clone(f.PoliceAcknowledgments)
	f.Guardianships = slices.Clone(f.Guardianships)
	for i := range f.Guardianships {
		f.Guardianships[i] = f.Guardianships[i].clone()
	}
	f.Referrals = slices.Clone(f.Referrals)
	for i := range f.Referrals {
		f.Referrals[i].AnsweredAt = clonePtr(f.Referrals[i].AnsweredAt)
	}
	return f
}

func (g TemporaryGuardianship) clone() TemporaryGuardianship {
	g.EndedAt = clonePtr(g.EndedAt)
	return g
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// earliest keeps in *p the earlier of *p and t.
func earliest(p **time.Time, t time.Time) {
	if *p == nil || t.Before(**p) {
		v := t
		*p = &v
	}
}

// insertTime inserts t into sorted times, after any equal to it.
func insertTime(sorted []time.Time, t time.Time) []time.Time {
	i := sort.Search(len(sorted), func(i int) bool { return sorted[i].After(t) })
	return slices.Insert(sorted, i, t)
}

// firstOf is the first of sorted times, or nil.
func firstOf(sorted []time.Time) *time.Time {
	if len(sorted) == 0 {
		return nil
	}
	t := sorted[0]
	return &t
}

// Deidentified is a copy of the facts that names no one: no child, no
// receiver, no assignee — what a de-identified read model (the statistics)
// may keep. Nothing the fold reads later is cleared, so folding further
// events into it and de-identifying again gives the de-identified copy of
// the facts folded further (a later assignment names its worker until
// de-identified again).
func (f CaseFacts) Deidentified() CaseFacts {
	f = f.Clone()
	f.ChildID, f.Receiver, f.Assignee = "", Actor{}, ""
	for i := range f.Assignments {
		f.Assignments[i].Owner = ""
	}
	return f
}
