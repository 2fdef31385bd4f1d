package domain

import (
	"fmt"
	"slices"
	"time"
)

// Inquiry is an accountability inquiry (倒查) an inspector opens into a case
// or a child, usually after a major incident.
type Inquiry struct {
	id         string
	version    int64
	caseID     string
	childID    string
	incidentAt time.Time
	reason     string
	openedBy   Actor
	openedAt   time.Time
	changes    []Change
}

// OpenInquiry opens an inquiry into exactly one case or one child. Only an
// inspector may.
func OpenInquiry(by Principal, now time.Time, in InquiryOpened) (*Inquiry, error) {
	if err := ActOpenInquiry.Check(by); err != nil {
		return nil, err
	}
	if err := requiredText("inquiry_id", in.InquiryID, MaxIDRunes); err != nil {
		return nil, err
	}
	if (in.CaseID == "") == (in.ChildID == "") {
		return nil, invalid("case_id", "give exactly one of case_id and child_id")
	}
	if err := boundedText("case_id", in.CaseID, MaxIDRunes); err != nil {
		return nil, err
	}
	if err := boundedText("child_id", in.ChildID, MaxIDRunes); err != nil {
		return nil, err
	}
	if in.IncidentAt.IsZero() {
		return nil, invalid("incident_at", "is required")
	}
	if in.IncidentAt.After(now.Add(ClockSkew)) {
		return nil, &ImpossibleError{Field: "incident_at", Message: fmt.Sprintf("%s lies in the future", in.IncidentAt.Format(time.RFC3339))}
	}
	if err := requiredText("reason", in.Reason, MaxTextRunes); err != nil {
		return nil, err
	}
	q := &Inquiry{}
	q.changes = append(q.changes, Change{Event: in, Actor: by.Actor, OccurredAt: now})
	q.apply(in, by.Actor, now)
	return q, nil
}

// LoadInquiry rebuilds an inquiry from its stream.
func LoadInquiry(history []Recorded) *Inquiry {
	q := &Inquiry{}
	for _, r := range history {
		q.Apply(r)
	}
	return q
}

// Apply applies a stored event of the inquiry's stream. It never fails;
// events of other types only advance the version.
func (q *Inquiry) Apply(r Recorded) {
	q.apply(r.Event, r.Actor, r.OccurredAt)
	q.version = r.Version
}

func (q *Inquiry) apply(e Event, by Actor, at time.Time) {
	if e, ok := e.(InquiryOpened); ok {
		q.id, q.caseID, q.childID, q.incidentAt, q.reason = e.InquiryID, e.CaseID, e.ChildID, e.IncidentAt, e.Reason
		q.openedBy, q.openedAt = by, at
	}
}

// Changes are the events decided since the inquiry was loaded, not yet stored.
func (q *Inquiry) Changes() []Change { return slices.Clone(q.changes) }

// ID is the inquiry's id.
func (q *Inquiry) ID() string { return q.id }

// Version is the stream version the inquiry was loaded at (0 for a new
// inquiry); Changes are not counted.
func (q *Inquiry) Version() int64 { return q.version }

// CaseID is the case inquired into; empty for an inquiry into a child.
func (q *Inquiry) CaseID() string { return q.caseID }

// ChildID is the child inquired into; empty for an inquiry into a case.
func (q *Inquiry) ChildID() string { return q.childID }

// IncidentAt is when the incident happened.
func (q *Inquiry) IncidentAt() time.Time { return q.incidentAt }

// Reason is why the inquiry was opened.
func (q *Inquiry) Reason() string { return q.reason }

// OpenedBy is the inspector who opened the inquiry.
func (q *Inquiry) OpenedBy() Actor { return q.openedBy }

// OpenedAt is when the inquiry was opened.
func (q *Inquiry) OpenedAt() time.Time { return q.openedAt }
