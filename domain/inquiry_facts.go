package domain

import (
	"slices"
	"time"
)

// InquiryFacts is what the record says of an inquiry (倒查) apart from its
// texts, folded once from the inquiry's stream by Apply: what it looks
// into, when it was opened, the findings' moment and place, who was found
// responsible, its rectification items and whether it is closed. The
// inquiry's rules (Inquiry), the deadline view and the report read an
// inquiry through it; its reason, findings and notes stay in the events.
type InquiryFacts struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case,omitempty"`
	ChildID    string    `json:"child,omitempty"`
	IncidentAt time.Time `json:"incident"`
	OpenedAt   time.Time `json:"opened"`
	OpenedBy   Actor     `json:"opened_by"`
	// FindingsAt is when the findings were recorded (nil before), and
	// Jurisdiction the place they were made for: the subject's then, where
	// the rectification is followed.
	FindingsAt   *time.Time   `json:"findings,omitempty"`
	Jurisdiction Jurisdiction `json:"j,omitzero"`
	// Responsible are the workers the findings hold responsible, in order.
	Responsible []string `json:"responsible,omitempty"`
	// Rectifications are the rectification items in the findings' order.
	Rectifications []RectificationItem `json:"rectifications,omitempty"`
	ClosedAt       *time.Time          `json:"closed,omitempty"`
	// Version and LastPosition are those of the last stored event applied;
	// Horizon is the latest business time among the events.
	Version      int64     `json:"v"`
	LastPosition int64     `json:"pos"`
	Horizon      time.Time `json:"horizon"`
}

// RectificationItem is one rectification item (整改事项) as the facts keep
// it: its owner (a worker of the register), its due date, and when it was
// completed (nil while open).
type RectificationItem struct {
	ID          string     `json:"id"`
	Owner       string     `json:"owner"`
	DueOn       Date       `json:"due_on"`
	CompletedAt *time.Time `json:"completed,omitempty"`
}

// FoldInquiry folds an inquiry's stream into its facts.
func FoldInquiry(history []Recorded) InquiryFacts {
	var f InquiryFacts
	for _, r := range history {
		f.Apply(r)
	}
	return f
}

// Opened reports whether the inquiry has been opened.
func (f *InquiryFacts) Opened() bool { return f.ID != "" }

// Closed reports whether the inquiry has been closed.
func (f InquiryFacts) Closed() bool { return f.ClosedAt != nil }

// Rectification is the item named id, or nil.
func (f *InquiryFacts) Rectification(id string) *RectificationItem {
	for i := range f.Rectifications {
		if f.Rectifications[i].ID == id {
			return &f.Rectifications[i]
		}
	}
	return nil
}

// Apply folds one stored event of the inquiry's stream into the facts.
func (f *InquiryFacts) Apply(r Recorded) {
	f.apply(r.Event, r.Actor, r.OccurredAt, r.StreamID)
	if r.Version > 0 {
		f.Version = r.Version
	} else {
		f.Version++
	}
	f.LastPosition = r.Position
}

func (f *InquiryFacts) apply(ev Event, by Actor, at time.Time, stream StreamID) {
	if at.After(f.Horizon) {
		f.Horizon = at
	}
	if e, ok := ev.(InquiryOpened); ok {
		if f.Opened() {
			return
		}
		f.ID, f.CaseID, f.ChildID, f.IncidentAt = e.InquiryID, e.CaseID, e.ChildID, e.IncidentAt
		if f.ID == "" {
			f.ID = stream.ID()
		}
		f.OpenedAt, f.OpenedBy = at, by
		return
	}
	if !f.Opened() {
		return
	}
	switch e := ev.(type) {
	case InquiryFindingsRecorded:
		if f.FindingsAt != nil {
			return
		}
		found := at
		f.FindingsAt, f.Jurisdiction = &found, e.Jurisdiction
		for _, r := range e.Responsibilities {
			f.Responsible = append(f.Responsible, r.WorkerID)
		}
		for _, r := range e.Rectifications {
			f.Rectifications = append(f.Rectifications, RectificationItem{ID: r.ID, Owner: r.Owner, DueOn: r.DueOn})
		}
	case RectificationCompleted:
		if r := f.Rectification(e.RectificationID); r != nil {
			earliest(&r.CompletedAt, at)
		}
	case InquiryClosed:
		earliest(&f.ClosedAt, at)
	}
}

// Clone is a deep copy: the facts share nothing with the copy.
func (f InquiryFacts) Clone() InquiryFacts {
	f.FindingsAt, f.ClosedAt = clonePtr(f.FindingsAt), clonePtr(f.ClosedAt)
	f.Responsible = slices.Clone(f.Responsible)
	f.Rectifications = slices.Clone(f.Rectifications)
	for i := range f.Rectifications {
		f.Rectifications[i].CompletedAt = clonePtr(f.Rectifications[i].CompletedAt)
	}
	return f
}
