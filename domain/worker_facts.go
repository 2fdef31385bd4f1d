package domain

import (
	"slices"
	"time"
)

// WorkerFacts is a worker's entry as the record stands, folded once from
// the worker's stream by Apply. Names stay in clear: the register is
// real-name by law.
type WorkerFacts struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Jurisdiction is the post the worker holds now (or held last, once
	// deactivated).
	Jurisdiction Jurisdiction `json:"j"`
	Agency       Agency       `json:"agency,omitzero"`
	RegisteredAt time.Time    `json:"registered"`
	// Trainings are the trainings in the order recorded.
	Trainings []Training `json:"trainings,omitempty"`
	// Posts are the posts the worker held, in order: the registration's,
	// then one per transfer.
	Posts []Post `json:"posts,omitempty"`
	// DeactivatedAt is when the worker left the register's active posts;
	// zero while active.
	DeactivatedAt      time.Time `json:"deactivated,omitzero"`
	DeactivationReason string    `json:"deactivation_reason,omitempty"`
	Version            int64     `json:"v"`
}

// Post is a jurisdiction a worker served in its role, from a moment on
// (until the next post, or the worker's deactivation).
type Post struct {
	Jurisdiction Jurisdiction `json:"j"`
	From         time.Time    `json:"from"`
}

// Apply folds one stored event of the worker's stream into the facts; a
// second registration changes nothing.
func (f *WorkerFacts) Apply(r Recorded) {
	f.apply(r.Event, r.OccurredAt, r.StreamID)
	if r.Version > 0 {
		f.Version = r.Version
	} else {
		f.Version++
	}
}

func (f *WorkerFacts) apply(ev Event, at time.Time, stream StreamID) {
	switch e := ev.(type) {
	case WorkerRegistered:
		if f.ID != "" {
			return
		}
		f.ID, f.Name, f.Role, f.Jurisdiction, f.Agency = e.WorkerID, e.Name, e.Role, e.Jurisdiction, e.Agency
		if f.ID == "" {
			f.ID = stream.ID()
		}
		f.RegisteredAt = at
		f.Posts = []Post{{Jurisdiction: e.Jurisdiction, From: at}}
	case WorkerTrainingRecorded:
		f.Trainings = append(f.Trainings, Training(e))
	case WorkerTransferred:
		f.Jurisdiction = e.Jurisdiction
		f.Posts = append(f.Posts, Post{Jurisdiction: e.Jurisdiction, From: at})
	case WorkerDeactivated:
		f.DeactivatedAt, f.DeactivationReason = at, e.Reason
	}
}

// Active reports whether the worker holds a post now (has not been
// deactivated).
func (f WorkerFacts) Active() bool { return f.ID != "" && f.DeactivatedAt.IsZero() }

// PostAt is the jurisdiction the worker served at time at, and whether it
// served any: none before registration or from its deactivation on.
func (f WorkerFacts) PostAt(at time.Time) (Jurisdiction, bool) {
	if f.ID == "" || at.Before(f.RegisteredAt) || (!f.DeactivatedAt.IsZero() && !at.Before(f.DeactivatedAt)) {
		return Jurisdiction{}, false
	}
	for _, p := range slices.Backward(f.Posts) {
		if !at.Before(p.From) {
			return p.Jurisdiction, true
		}
	}
	return f.Jurisdiction, true
}

// Tenures are the spans the worker held each post: from a post's start to
// the next post's (or the deactivation; zero Until while still held).
func (f WorkerFacts) Tenures() []Tenure {
	out := make([]Tenure, 0, len(f.Posts))
	for i, p := range f.Posts {
		t := Tenure{Jurisdiction: p.Jurisdiction, From: p.From}
		if i+1 < len(f.Posts) {
			t.Until = f.Posts[i+1].From
		} else {
			t.Until = f.DeactivatedAt
		}
		if !t.Until.IsZero() && !t.Until.After(t.From) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// Tenure is a post held for a span: [From, Until), Until zero while it is
// still held.
type Tenure struct {
	Jurisdiction Jurisdiction
	From, Until  time.Time
}

// Holds reports whether the tenure covers time at.
func (t Tenure) Holds(at time.Time) bool {
	return !at.Before(t.From) && (t.Until.IsZero() || at.Before(t.Until))
}

// Training is one recorded training of a worker.
type Training struct {
	Passed      bool `json:"passed"`
	CompletedOn Date `json:"on"`
}
