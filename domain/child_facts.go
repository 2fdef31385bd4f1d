package domain

import (
	"slices"
	"sort"
	"time"
)

// ChildFacts is what the record says of a child's file (一人一档案) apart
// from its personal data, folded once from the child's stream by Apply. The
// child's rules (Child), the child view, the deadlines and the trace-back
// report read a file through it. It holds no name, ID number, full birth
// date, guardian, living situation, schooling or note, so a read model may
// keep it whole; the personal part of the file stays in the child's events,
// sealed under the child's key (Child.Profile reads it).
//
// As for a case, the state (place, categories, flags) follows the stream,
// while the moments clocks read — visits, verifications, the profile
// changes the visit clock depends on — are kept by business time. A stream
// holds one registration: a second ChildRegistered changes nothing, and
// after an erasure no update changes the file.
type ChildFacts struct {
	ID                string             `json:"id"`
	Jurisdiction      Jurisdiction       `json:"j"`
	BirthYear         int                `json:"born"`
	Sex               Sex                `json:"sex"`
	Categories        []Category         `json:"cat"`
	DifficultyReasons []DifficultyReason `json:"dr,omitempty"`
	KeyChildFlags     []KeyChildFlag     `json:"kf"`
	HukouRegistered   bool               `json:"hukou,omitempty"`
	RegisteredAt      time.Time          `json:"registered"`
	// Registered is what the visit clock read of the file when it was
	// registered; Changes are the later updates of what it reads, by
	// business time.
	Registered ChildState    `json:"at_reg"`
	Changes    []ChildChange `json:"changes,omitempty"`
	// Visits are the visits' business times; Verified the business times
	// of every entry that verifies the file's information (registration,
	// profile update, visit, entrustment confirmation); both sorted.
	Visits   []time.Time `json:"visits,omitempty"`
	Verified []time.Time `json:"verified,omitempty"`
	// ConcernVisits are the visits that found a mandatory-report concern
	// (强制报告), by business time: each obliges its visitor to report it
	// unless the child has an open case (report_after_visit).
	ConcernVisits []ConcernVisit `json:"concern_visits,omitempty"`
	// ErasedAt is when the child's personal data was erased; nil if never.
	ErasedAt *time.Time `json:"erased,omitempty"`
	// Version and LastPosition are those of the last stored event applied;
	// Horizon is the latest business time among the events.
	Version      int64     `json:"v"`
	LastPosition int64     `json:"pos"`
	Horizon      time.Time `json:"horizon"`
}

// ChildState is what the visit and verification clocks read of a file:
// where the child lives, and whether it asks for visits as a key child (重点
// 儿童, any flag) or as a left-behind child.
type ChildState struct {
	Place      Jurisdiction `json:"j"`
	KeyChild   bool         `json:"key,omitempty"`
	LeftBehind bool         `json:"lb,omitempty"`
}

// ConcernVisit is a visit that found a mandatory-report concern: when, and
// who visited (the actor's subject, who owes the report).
type ConcernVisit struct {
	At time.Time `json:"at"`
	By string    `json:"by"`
}

// ChildChange is a profile update of what ChildState reads, at its business
// time; nil fields are unchanged.
type ChildChange struct {
	At         time.Time     `json:"at"`
	Place      *Jurisdiction `json:"j,omitempty"`
	KeyChild   *bool         `json:"key,omitempty"`
	LeftBehind *bool         `json:"lb,omitempty"`
}

// FoldChild folds a child's stream into its facts.
func FoldChild(history []Recorded) ChildFacts {
	var f ChildFacts
	for _, r := range history {
		f.Apply(r)
	}
	return f
}

// Opened reports whether a registration has opened the file.
func (f *ChildFacts) Opened() bool { return f.ID != "" }

// Erased reports whether the child's personal data has been erased.
func (f ChildFacts) Erased() bool { return f.ErasedAt != nil }

// IsKeyChild reports whether any key-child flag is set.
func (f ChildFacts) IsKeyChild() bool { return len(f.KeyChildFlags) > 0 }

// IsLeftBehind reports whether the child is a rural left-behind child.
func (f ChildFacts) IsLeftBehind() bool { return slices.Contains(f.Categories, categoryLeftBehind) }

// LastVisitAt is the latest visit by business time, or nil.
func (f ChildFacts) LastVisitAt() *time.Time {
	if len(f.Visits) == 0 {
		return nil
	}
	t := f.Visits[len(f.Visits)-1]
	return &t
}

// Apply folds one stored event of the child's stream into the facts. It
// never fails: an event the file does not know changes nothing but the
// version.
func (f *ChildFacts) Apply(r Recorded) {
	f.apply(r.Event, r.Actor, r.OccurredAt, r.StreamID)
	if r.Version > 0 {
		f.Version = r.Version
	} else {
		f.Version++
	}
	f.LastPosition = r.Position
}

func (f *ChildFacts) apply(ev Event, by Actor, at time.Time, stream StreamID) {
	if at.After(f.Horizon) {
		f.Horizon = at
	}
	if e, ok := ev.(ChildRegistered); ok {
		if f.Opened() {
			return
		}
		f.ID = e.ChildID
		if f.ID == "" {
			f.ID = stream.ID()
		}
		f.Jurisdiction, f.BirthYear, f.Sex = e.Jurisdiction, e.BirthDate.Year(), e.Sex
		f.Categories, f.DifficultyReasons = slices.Clone(e.Categories), slices.Clone(e.DifficultyReasons)
		f.KeyChildFlags, f.HukouRegistered = slices.Clone(e.KeyChildFlags), e.HukouRegistered
		if f.KeyChildFlags == nil {
			f.KeyChildFlags = []KeyChildFlag{}
		}
		f.RegisteredAt = at
		f.Registered = ChildState{Place: e.Jurisdiction, KeyChild: len(e.KeyChildFlags) > 0, LeftBehind: isLeftBehind(e.Categories)}
		f.Verified = insertTime(f.Verified, at)
		return
	}
	if !f.Opened() {
		return
	}
	switch e := ev.(type) {
	case ChildProfileUpdated:
		if f.Erased() {
			return
		}
		f.update(e, at)
		f.Verified = insertTime(f.Verified, at)
	case VisitRecorded:
		f.Visits = insertTime(f.Visits, at)
		f.Verified = insertTime(f.Verified, at)
		if slices.ContainsFunc(e.Concerns, MandatoryReport) {
			i := sort.Search(len(f.ConcernVisits), func(i int) bool { return f.ConcernVisits[i].At.After(at) })
			f.ConcernVisits = slices.Insert(f.ConcernVisits, i, ConcernVisit{At: at, By: by.Subject})
		}
	case GuardianshipEntrustmentConfirmed:
		f.Verified = insertTime(f.Verified, at)
	case ChildDataErased:
		earliest(&f.ErasedAt, at)
	}
}

// update applies the non-personal fields of a profile update.
func (f *ChildFacts) update(u ChildProfileUpdated, at time.Time) {
	var ch ChildChange
	if u.BirthDate != nil {
		f.BirthYear = u.BirthDate.Year()
	}
	if u.Sex != nil {
		f.Sex = *u.Sex
	}
	if u.Jurisdiction != nil {
		f.Jurisdiction = *u.Jurisdiction
		place := *u.Jurisdiction
		ch.Place = &place
	}
	if u.Categories != nil {
		f.Categories = slices.Clone(*u.Categories)
		lb := isLeftBehind(*u.Categories)
		ch.LeftBehind = &lb
	}
	if u.DifficultyReasons != nil {
		f.DifficultyReasons = slices.Clone(*u.DifficultyReasons)
	}
	if u.KeyChildFlags != nil {
		f.KeyChildFlags = slices.Clone(*u.KeyChildFlags)
		key := len(*u.KeyChildFlags) > 0
		ch.KeyChild = &key
	}
	if u.HukouRegistered != nil {
		f.HukouRegistered = *u.HukouRegistered
	}
	if ch.Place != nil || ch.LeftBehind != nil || ch.KeyChild != nil {
		ch.At = at
		i := sort.Search(len(f.Changes), func(i int) bool { return f.Changes[i].At.After(at) })
		f.Changes = slices.Insert(f.Changes, i, ch)
	}
}

// Clone is a deep copy: the facts share nothing with the copy.
func (f ChildFacts) Clone() ChildFacts {
	f.Categories, f.DifficultyReasons = slices.Clone(f.Categories), slices.Clone(f.DifficultyReasons)
	f.KeyChildFlags = slices.Clone(f.KeyChildFlags)
	f.Changes = slices.Clone(f.Changes)
	for i, c := range f.Changes {
		f.Changes[i] = ChildChange{At: c.At, Place: clonePtr(c.Place), KeyChild: clonePtr(c.KeyChild), LeftBehind: clonePtr(c.LeftBehind)}
	}
	f.Visits, f.Verified, f.ErasedAt = slices.Clone(f.Visits), slices.Clone(f.Verified), clonePtr(f.ErasedAt)
	f.ConcernVisits = slices.Clone(f.ConcernVisits)
	return f
}

func isLeftBehind(cs []Category) bool { return slices.Contains(cs, categoryLeftBehind) }
