package domain

import (
	"slices"
	"time"
)

// CaseChild is what a case needs from its child's file (一人一档案):
// whose case it is, where the child lives, and the birth date before which
// nothing can have happened to the child.
type CaseChild struct {
	ID           string
	Jurisdiction Jurisdiction
	BirthDate    Date
}

// ReportInput is a report of a concern about a child as the receiver takes
// it down: where it came from, who made it, the concerns, the risk, when it
// was received (its business time) and what was said.
type ReportInput struct {
	CaseID     string
	Source     Source
	Reporter   Reporter
	Concerns   []Concern
	Risk       Risk
	ReceivedAt time.Time
	Summary    string
}

// Referral is one referral of the case to an agency for a service (服务转介)
// and where it stands: pending until the agency accepts or declines it,
// accepted until the agency completes it.
type Referral struct {
	ID      string         `json:"id"`
	Agency  Agency         `json:"agency"`
	Service Service        `json:"service"`
	Status  ReferralStatus `json:"status"`
	MadeAt  time.Time      `json:"made_at"`
	// AnsweredAt is the agency's earliest answer — acceptance, decline or
	// completion — by business time; nil while none.
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// TemporaryGuardianship is the center's temporary guardianship of the child
// (临时监护, 未成年人保护法 art. 92): why it was taken, where the child is
// placed, and when it started and ended.
type TemporaryGuardianship struct {
	Active    bool               `json:"active"`
	Ground    GuardianshipGround `json:"ground"`
	Placement Placement          `json:"placement"`
	StartedAt time.Time          `json:"started_at"`
	EndedAt   *time.Time         `json:"ended_at,omitempty"`
}

// Case is one protection concern about one child (个案), from the report to
// closure. It is opened by ReceiveReport, rebuilt from its history by
// LoadCase, and changed only by its command methods, each of which checks
// the rules of DOMAIN.md and records one event (see case_rules.go). Its
// state is its CaseFacts — the one fold of a case — and, beside them, what
// the report said (reporter, summary), which is personal.
type Case struct {
	child   CaseChild
	facts   CaseFacts
	changes []Change // decided since load, not yet stored

	reporter Reporter
	summary  string
}

// LoadCase rebuilds a case from its stored history. It never fails: events
// it does not know are skipped (but counted in the version).
func LoadCase(child CaseChild, history []Recorded) *Case {
	c := &Case{child: child}
	for _, r := range history {
		c.Apply(r)
	}
	return c
}

// Apply applies one stored event. It only changes state and never fails;
// an event the case does not know changes nothing but the version.
func (c *Case) Apply(r Recorded) {
	c.noteReport(r.Event)
	c.facts.Apply(r)
}

// Changes are the events decided since the case was loaded, in order.
func (c *Case) Changes() []Change { return slices.Clone(c.changes) }

// record keeps a decided change and applies it; the version stays that of
// the stored history until the change is stored.
func (c *Case) record(ch Change) {
	c.changes = append(c.changes, ch)
	c.noteReport(ch.Event)
	c.facts.apply(ch.Event, ch.Actor, ch.OccurredAt, CaseStream(c.facts.ID))
}

// noteReport keeps what the opening report said, which the facts leave out.
func (c *Case) noteReport(ev Event) {
	if e, ok := ev.(ReportReceived); ok && !c.facts.Opened() {
		c.reporter, c.summary = e.Reporter, e.Summary
	}
}

// Facts are the case's facts as the record stands (a copy).
func (c *Case) Facts() CaseFacts { return c.facts.Clone() }

// ID is the case's id.
func (c *Case) ID() string { return c.facts.ID }

// ChildID is the id of the child the case is about.
func (c *Case) ChildID() string { return c.facts.ChildID }

// Jurisdiction is the child's place when the report was received: the
// village or community the case belongs to.
func (c *Case) Jurisdiction() Jurisdiction { return c.facts.Jurisdiction }

// Version is the number of stored events applied (the stream version);
// changes not yet stored do not count.
func (c *Case) Version() int64 { return c.facts.Version }

// Status is open or closed.
func (c *Case) Status() CaseStatus { return c.facts.Status }

// Source is where the report came from (12355, a mandatory reporter…).
func (c *Case) Source() Source { return c.facts.Source }

// Reporter is who made the report.
func (c *Case) Reporter() Reporter { return c.reporter }

// Concerns are the concerns reported.
func (c *Case) Concerns() []Concern { return slices.Clone(c.facts.Concerns) }

// Risk is the latest risk level: the reported one until an assessment
// sets it anew.
func (c *Case) Risk() Risk { return c.facts.Risk }

// Summary is what the report said.
func (c *Case) Summary() string { return c.summary }

// ReceivedAt is when the report was received (business time).
func (c *Case) ReceivedAt() time.Time { return c.facts.ReceivedAt }

// Receiver is who recorded the report; the police-report clock is theirs.
func (c *Case) Receiver() Actor { return c.facts.Receiver }

// Assignee is the id of the caseworker responsible, "" before assignment.
func (c *Case) Assignee() string { return c.facts.Assignee }

// Referrals are the case's referrals in the order they were made.
func (c *Case) Referrals() []Referral { return c.facts.Clone().Referrals }

// Guardianship is the latest temporary guardianship of the child, or nil if
// none was ever started.
func (c *Case) Guardianship() *TemporaryGuardianship { return c.facts.Guardianship() }

// MajorIncident reports whether a major incident (重大事件) was declared.
func (c *Case) MajorIncident() bool { return len(c.facts.MajorIncidents) > 0 }

// PoliceReported reports whether the report was forwarded to the police.
func (c *Case) PoliceReported() bool { return c.facts.PoliceReportedAt != nil }

// ClosureReason is why the case was closed; zero while it is open.
func (c *Case) ClosureReason() ClosureReason { return c.facts.ClosureReason }
