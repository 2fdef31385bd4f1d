package domain

import (
	"slices"
	"strings"
	"time"
)

// Child is a child's file (一人一档案): identity, category, guardians,
// living situation and the visits made. Its state is its ChildFacts — the
// one fold of a file — and, beside them, the file's personal data
// (profile), which only the child's own events hold. Commands decide new
// events and keep them as Changes.
type Child struct {
	facts   ChildFacts
	profile ChildRegistered
	changes []Change
}

// RegisterChild opens a child's file.
func RegisterChild(by Principal, now time.Time, in ChildRegistered) (*Child, error) {
	return registerChild(ActRegisterChild, by, now, in)
}

// RegisterChildForReport opens the file of a child a report is about, as
// part of receiving the report: an act of the mandatory report, never
// refused for want of training (see Act.Check). Among partners only the
// 12355 desk may; that the report is of the 12355 line is ReceiveReport's
// to check, which is decided before the file is stored.
func RegisterChildForReport(by Principal, now time.Time, in ChildRegistered) (*Child, error) {
	if err := checkReportDesk(by, Source{}); err != nil {
		return nil, err
	}
	return registerChild(ActReceiveReport, by, now, in)
}

func registerChild(a Act, by Principal, now time.Time, in ChildRegistered) (*Child, error) {
	if err := a.Check(by); err != nil {
		return nil, err
	}
	in.IDNumber = normalResidentID(in.IDNumber)
	if in.KeyChildFlags == nil {
		in.KeyChildFlags = []KeyChildFlag{}
	}
	if err := requiredText("child_id", in.ChildID, MaxIDRunes); err != nil {
		return nil, err
	}
	if err := checkChildProfile(in, now); err != nil {
		return nil, err
	}
	c := &Child{}
	c.recordAt(by, now, cloneChildProfile(in))
	return c, nil
}

// LoadChild rebuilds a child's file from its stream.
func LoadChild(history []Recorded) *Child {
	c := &Child{}
	for _, r := range history {
		c.Apply(r)
	}
	return c
}

// Apply applies a stored event of the child's stream. It never fails;
// events of other types only advance the version.
func (c *Child) Apply(r Recorded) {
	c.applyProfile(r.Event)
	c.facts.Apply(r)
}

// Changes are the events decided since the file was loaded, not yet stored.
func (c *Child) Changes() []Change { return slices.Clone(c.changes) }

// Facts are the file's facts as the record stands (a copy).
func (c *Child) Facts() ChildFacts { return c.facts.Clone() }

// ID is the child's id.
func (c *Child) ID() string { return c.facts.ID }

// Version is the stream version the file was loaded at (0 for a new file);
// Changes are not counted.
func (c *Child) Version() int64 { return c.facts.Version }

// Jurisdiction is the 12-digit code of the place where the child lives.
func (c *Child) Jurisdiction() Jurisdiction { return c.facts.Jurisdiction }

// BirthDate is the child's date of birth; after erasure only its year is
// kept (YYYY-01-01).
func (c *Child) BirthDate() Date { return c.profile.BirthDate }

// Categories are the child's categories.
func (c *Child) Categories() []Category { return slices.Clone(c.facts.Categories) }

// KeyChildFlags are the reasons the child is a key child (重点儿童).
func (c *Child) KeyChildFlags() []KeyChildFlag { return slices.Clone(c.facts.KeyChildFlags) }

// IsKeyChild reports whether any key-child flag is set.
func (c *Child) IsKeyChild() bool { return c.facts.IsKeyChild() }

// IsLeftBehind reports whether the child is a rural left-behind child.
func (c *Child) IsLeftBehind() bool { return c.facts.IsLeftBehind() }

// LastVisitAt is the business time of the latest visit, zero if none.
func (c *Child) LastVisitAt() time.Time {
	if t := c.facts.LastVisitAt(); t != nil {
		return *t
	}
	return time.Time{}
}

// Erased reports whether the child's personal data has been erased.
func (c *Child) Erased() bool { return c.facts.Erased() }

// RegisteredAt is when the file was opened (business time).
func (c *Child) RegisteredAt() time.Time { return c.facts.RegisteredAt }

// CaseChild is what a case needs to know of its child.
func (c *Child) CaseChild() CaseChild {
	return CaseChild{ID: c.facts.ID, Jurisdiction: c.facts.Jurisdiction, BirthDate: c.profile.BirthDate}
}

// Profile is the current file: the registration with every update and
// entrustment applied. After erasure the personal fields are empty and the
// birth date keeps only its year.
func (c *Child) Profile() ChildRegistered { return cloneChildProfile(c.profile) }

// UpdateProfile changes the fields upd carries. The recorded event keeps
// only the fields whose value changes; an update that changes nothing is
// refused.
func (c *Child) UpdateProfile(by Principal, now time.Time, upd ChildProfileUpdated) error {
	if err := ActUpdateChildProfile.Check(by); err != nil {
		return err
	}
	if c.Erased() {
		return ruleBroken("erased", "the child's personal data has been erased; the file can no longer be updated")
	}
	if upd.IDNumber != nil {
		n := normalResidentID(*upd.IDNumber)
		upd.IDNumber = &n
	}
	diff := c.profileDiff(upd)
	if diff == (ChildProfileUpdated{}) {
		return invalid("profile", "the update changes nothing")
	}
	next := cloneChildProfile(c.profile)
	applyProfileUpdate(&next, diff)
	if err := checkChildProfile(next, now); err != nil {
		return err
	}
	c.recordAt(by, now, diff)
	return nil
}

// RecordVisit records a visit to the child at business time at. Visits may
// be recorded after erasure.
func (c *Child) RecordVisit(by Principal, now, at time.Time, findings string, concerns []Concern) error {
	if err := ActRecordVisit.Check(by); err != nil {
		return err
	}
	if err := checkOccurredAt("occurred_at", at, now, c.profile.BirthDate); err != nil {
		return err
	}
	if err := requiredText("findings", findings, MaxTextRunes); err != nil {
		return err
	}
	if err := uniqueTermList("concerns", concerns); err != nil {
		return err
	}
	if concerns == nil {
		concerns = []Concern{}
	}
	c.recordAt(by, at, VisitRecorded{Findings: findings, Concerns: slices.Clone(concerns)})
	return nil
}

// ConfirmEntrustment records the signed entrusted-guardianship confirmation
// (委托监护确认); the guardian becomes the file's entrusted guardian.
func (c *Child) ConfirmEntrustment(by Principal, now, at time.Time, guardian Guardian, parentsNotified bool) error {
	if err := ActConfirmEntrustment.Check(by); err != nil {
		return err
	}
	if c.Erased() {
		return ruleBroken("erased", "the child's personal data has been erased; no guardian can be recorded")
	}
	if err := checkOccurredAt("occurred_at", at, now, c.profile.BirthDate); err != nil {
		return err
	}
	if err := checkGuardian("entrusted_guardian", guardian); err != nil {
		return err
	}
	c.recordAt(by, at, GuardianshipEntrustmentConfirmed{EntrustedGuardian: guardian, ParentsNotified: parentsNotified})
	return nil
}

// Erase records the lawful erasure of the child's personal data; the store
// destroys the child's key.
func (c *Child) Erase(by Principal, now time.Time, reason string) error {
	if err := ActEraseChildData.Check(by); err != nil {
		return err
	}
	if c.Erased() {
		return ruleBroken("already_erased", "the child's personal data has already been erased")
	}
	if err := requiredText("reason", reason, MaxTextRunes); err != nil {
		return err
	}
	c.recordAt(by, now, ChildDataErased{Reason: reason})
	return nil
}

func (c *Child) recordAt(by Principal, at time.Time, e Event) {
	c.changes = append(c.changes, Change{Event: e, Actor: by.Actor, OccurredAt: at})
	c.applyProfile(e)
	c.facts.apply(e, by.Actor, at, ChildStream(c.facts.ID))
}

// applyProfile keeps the file's personal data, which the facts leave out;
// it runs before the facts see the event.
func (c *Child) applyProfile(e Event) {
	switch e := e.(type) {
	case ChildRegistered:
		if !c.facts.Opened() {
			c.profile = cloneChildProfile(e)
		}
	case ChildProfileUpdated:
		if c.facts.Opened() && !c.Erased() {
			applyProfileUpdate(&c.profile, e)
		}
	case GuardianshipEntrustmentConfirmed:
		if c.facts.Opened() && !c.Erased() {
			g := e.EntrustedGuardian
			c.profile.EntrustedGuardian = &g
		}
	case ChildDataErased:
		p := &c.profile
		p.Name, p.IDNumber, p.LivingSituation, p.Schooling = "", "", "", ""
		p.Guardian, p.EntrustedGuardian = Guardian{}, nil
		if !p.BirthDate.IsZero() {
			p.BirthDate = NewDate(p.BirthDate.Year(), time.January, 1)
		}
	}
}

// profileDiff keeps the fields of upd whose value differs from the file.
// Lists are compared as sets.
func (c *Child) profileDiff(upd ChildProfileUpdated) ChildProfileUpdated {
	p := c.profile
	var d ChildProfileUpdated
	if upd.Name != nil && *upd.Name != p.Name {
		d.Name = upd.Name
	}
	if upd.IDNumber != nil && *upd.IDNumber != p.IDNumber {
		d.IDNumber = upd.IDNumber
	}
	if upd.BirthDate != nil && *upd.BirthDate != p.BirthDate {
		d.BirthDate = upd.BirthDate
	}
	if upd.Sex != nil && *upd.Sex != p.Sex {
		d.Sex = upd.Sex
	}
	if upd.Jurisdiction != nil && *upd.Jurisdiction != p.Jurisdiction {
		d.Jurisdiction = upd.Jurisdiction
	}
	if upd.Categories != nil && !sameTermSet(*upd.Categories, p.Categories) {
		d.Categories = cloneTermList(*upd.Categories)
	}
	if upd.DifficultyReasons != nil && !sameTermSet(*upd.DifficultyReasons, p.DifficultyReasons) {
		d.DifficultyReasons = cloneTermList(*upd.DifficultyReasons)
	}
	if upd.KeyChildFlags != nil && !sameTermSet(*upd.KeyChildFlags, p.KeyChildFlags) {
		d.KeyChildFlags = cloneTermList(*upd.KeyChildFlags)
	}
	if upd.Guardian != nil && *upd.Guardian != p.Guardian {
		d.Guardian = upd.Guardian
	}
	if upd.EntrustedGuardian != nil && (p.EntrustedGuardian == nil || *upd.EntrustedGuardian != *p.EntrustedGuardian) {
		d.EntrustedGuardian = upd.EntrustedGuardian
	}
	if upd.LivingSituation != nil && *upd.LivingSituation != p.LivingSituation {
		d.LivingSituation = upd.LivingSituation
	}
	if upd.Schooling != nil && *upd.Schooling != p.Schooling {
		d.Schooling = upd.Schooling
	}
	if upd.HukouRegistered != nil && *upd.HukouRegistered != p.HukouRegistered {
		d.HukouRegistered = upd.HukouRegistered
	}
	return d
}

func applyProfileUpdate(p *ChildRegistered, u ChildProfileUpdated) {
	if u.Name != nil {
		p.Name = *u.Name
	}
	if u.IDNumber != nil {
		p.IDNumber = *u.IDNumber
	}
	if u.BirthDate != nil {
		p.BirthDate = *u.BirthDate
	}
	if u.Sex != nil {
		p.Sex = *u.Sex
	}
	if u.Jurisdiction != nil {
		p.Jurisdiction = *u.Jurisdiction
	}
	if u.Categories != nil {
		p.Categories = slices.Clone(*u.Categories)
	}
	if u.DifficultyReasons != nil {
		p.DifficultyReasons = slices.Clone(*u.DifficultyReasons)
	}
	if u.KeyChildFlags != nil {
		p.KeyChildFlags = slices.Clone(*u.KeyChildFlags)
	}
	if u.Guardian != nil {
		p.Guardian = *u.Guardian
	}
	if u.EntrustedGuardian != nil {
		g := *u.EntrustedGuardian
		p.EntrustedGuardian = &g
	}
	if u.LivingSituation != nil {
		p.LivingSituation = *u.LivingSituation
	}
	if u.Schooling != nil {
		p.Schooling = *u.Schooling
	}
	if u.HukouRegistered != nil {
		p.HukouRegistered = *u.HukouRegistered
	}
}

var (
	categoryLeftBehind   = term[categoryWords]("left_behind")
	categoryInDifficulty = term[categoryWords]("in_difficulty")
)

// checkChildProfile checks a whole profile, as registered or as an update
// would leave it, naming the JSON field at fault.
func checkChildProfile(p ChildRegistered, now time.Time) error {
	if err := requiredText("name", p.Name, MaxNameRunes); err != nil {
		return err
	}
	if p.IDNumber != "" && !ValidResidentID(p.IDNumber) {
		return invalid("id_number", "%q is not a resident identity number (17 digits and a correct check digit or X)", p.IDNumber)
	}
	if p.BirthDate.IsZero() {
		return invalid("birth_date", "is required")
	}
	if p.BirthDate.Start().After(now) {
		return &ImpossibleError{Field: "birth_date", Message: p.BirthDate.String() + " lies in the future"}
	}
	if p.Sex.IsZero() {
		return invalid("sex", "is required")
	}
	if p.Jurisdiction.IsZero() {
		return invalid("jurisdiction", "is required")
	}
	if !p.Jurisdiction.IsPlace() {
		return invalid("jurisdiction", "%q: a child's place is a 12-digit village or community code", p.Jurisdiction)
	}
	if len(p.Categories) == 0 {
		return invalid("categories", "at least one category is required")
	}
	if err := uniqueTermList("categories", p.Categories); err != nil {
		return err
	}
	if err := uniqueTermList("difficulty_reasons", p.DifficultyReasons); err != nil {
		return err
	}
	inDifficulty := slices.Contains(p.Categories, categoryInDifficulty)
	switch {
	case inDifficulty && len(p.DifficultyReasons) == 0:
		return invalid("difficulty_reasons", "a child in difficulty needs at least one reason")
	case !inDifficulty && len(p.DifficultyReasons) > 0:
		return invalid("difficulty_reasons", "only a child in difficulty (category in_difficulty) has difficulty reasons")
	}
	if err := uniqueTermList("key_child_flags", p.KeyChildFlags); err != nil {
		return err
	}
	if err := checkGuardian("guardian", p.Guardian); err != nil {
		return err
	}
	if p.EntrustedGuardian != nil {
		if err := checkGuardian("entrusted_guardian", *p.EntrustedGuardian); err != nil {
			return err
		}
	}
	if err := boundedText("living_situation", p.LivingSituation, MaxTextRunes); err != nil {
		return err
	}
	return boundedText("schooling", p.Schooling, MaxTextRunes)
}

func checkGuardian(field string, g Guardian) error {
	if err := requiredText(field+".name", g.Name, MaxNameRunes); err != nil {
		return err
	}
	if err := requiredText(field+".relation", g.Relation, MaxNameRunes); err != nil {
		return err
	}
	return phoneNumber(field+".phone", g.Phone)
}

// uniqueTermList refuses an unset word or a word listed twice.
func uniqueTermList[V vocabulary](field string, ts []Term[V]) error {
	seen := make(map[Term[V]]bool, len(ts))
	for _, t := range ts {
		if t.IsZero() {
			return invalid(field, "an entry is empty")
		}
		if seen[t] {
			return invalid(field, "%q is listed twice", t)
		}
		seen[t] = true
	}
	return nil
}

// normalResidentID writes a trailing check character x as X.
func normalResidentID(s string) string {
	if strings.HasSuffix(s, "x") {
		return s[:len(s)-1] + "X"
	}
	return s
}

func sameTermSet[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

func cloneChildProfile(p ChildRegistered) ChildRegistered {
	p.Categories = slices.Clone(p.Categories)
	p.DifficultyReasons = slices.Clone(p.DifficultyReasons)
	p.KeyChildFlags = slices.Clone(p.KeyChildFlags)
	if p.EntrustedGuardian != nil {
		g := *p.EntrustedGuardian
		p.EntrustedGuardian = &g
	}
	return p
}

func cloneTermList[T any](s []T) *[]T {
	c := slices.Clone(s)
	return &c
}

// roleName names a role in a message, or "principal without a role".
func roleLabel(r Role) string {
	if r.IsZero() {
		return "principal without a role"
	}
	return r.String()
}
