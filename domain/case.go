package domain

import (
	"slices"
	"time"
)

// ChildFacts is what a case needs from the child's file (一人一档案): whose
// case it is, where the child lives, and the birth date before which nothing
// can have happened to the child.
type ChildFacts struct {
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
// the rules of DOMAIN.md and records one event (see case_rules.go).
type Case struct {
	child   ChildFacts
	version int64    // stream version of the last stored event applied
	changes []Change // decided since load, not yet stored

	id             string
	childID        string
	jurisdiction   Jurisdiction
	status         CaseStatus
	source         Source
	reporter       Reporter
	concerns       []Concern
	risk           Risk
	summary        string
	receivedAt     time.Time
	receiver       Actor
	assignee       string
	referrals      []Referral
	guardianship   *TemporaryGuardianship
	majorIncident  bool
	policeReported bool
	closureReason  ClosureReason
}

// LoadCase rebuilds a case from its stored history. It never fails: events
// it does not know are skipped (but counted in the version).
func LoadCase(child ChildFacts, history []Recorded) *Case {
	c := &Case{child: child}
	for _, r := range history {
		c.Apply(r)
	}
	return c
}

// Apply applies one stored event. It only changes state and never fails;
// an event the case does not know changes nothing but the version.
func (c *Case) Apply(r Recorded) {
	c.apply(Change{Event: r.Event, Actor: r.Actor, OccurredAt: r.OccurredAt})
	if r.Version > 0 {
		c.version = r.Version
	} else {
		c.version++
	}
}

// Changes are the events decided since the case was loaded, in order.
func (c *Case) Changes() []Change { return slices.Clone(c.changes) }

// record keeps a decided change and applies it; the version stays that of
// the stored history until the change is stored.
func (c *Case) record(ch Change) {
	c.changes = append(c.changes, ch)
	c.apply(ch)
}

// apply changes state by one event; it never fails.
func (c *Case) apply(ch Change) {
	switch e := ch.Event.(type) {
	case ReportReceived:
		c.id = e.CaseID
		c.childID = e.ChildID
		c.jurisdiction = e.Jurisdiction
		c.status = StatusOpen
		c.source = e.Source
		c.reporter = e.Reporter
		c.concerns = slices.Clone(e.Concerns)
		c.risk = e.Risk
		c.summary = e.Summary
		c.receivedAt = ch.OccurredAt
		c.receiver = ch.Actor
	case ReportForwardedToPolice:
		c.policeReported = true
	case CaseAssigned:
		c.assignee = e.WorkerID
	case AssessmentCompleted:
		if !e.Risk.IsZero() {
			c.risk = e.Risk
		}
	case ReferralMade:
		c.referrals = append(c.referrals, Referral{
			ID: e.ReferralID, Agency: e.Agency, Service: e.Service,
			Status: ReferralStatusPending, MadeAt: ch.OccurredAt,
		})
	case ReferralAccepted:
		c.setReferralStatus(e.ReferralID, ReferralStatusAccepted)
	case ReferralDeclined:
		c.setReferralStatus(e.ReferralID, ReferralStatusDeclined)
	case ReferralCompleted:
		c.setReferralStatus(e.ReferralID, ReferralStatusCompleted)
	case TemporaryGuardianshipStarted:
		c.guardianship = &TemporaryGuardianship{
			Active: true, Ground: e.Ground, Placement: e.Placement, StartedAt: ch.OccurredAt,
		}
	case TemporaryGuardianshipEnded:
		if c.guardianship != nil && c.guardianship.Active {
			ended := ch.OccurredAt
			c.guardianship.Active = false
			c.guardianship.EndedAt = &ended
		}
	case MajorIncidentDeclared:
		c.majorIncident = true
	case CaseClosed:
		c.status = StatusClosed
		c.closureReason = e.Reason
	case CaseReopened:
		c.status = StatusOpen
		c.closureReason = ClosureReason{}
	}
	// EmergencyResponseRecorded, CaseConferenceHeld,
	// GuardianshipInterventionRecorded and FollowUpRecorded are facts of the
	// record that change no state the rules depend on.
}

func (c *Case) setReferralStatus(id string, status ReferralStatus) {
	if r := c.referral(id); r != nil {
		r.Status = status
	}
}

// referral finds a referral of the case by id, or nil.
func (c *Case) referral(id string) *Referral {
	for i := range c.referrals {
		if c.referrals[i].ID == id {
			return &c.referrals[i]
		}
	}
	return nil
}

// ID is the case's id.
func (c *Case) ID() string { return c.id }

// ChildID is the id of the child the case is about.
func (c *Case) ChildID() string { return c.childID }

// Jurisdiction is the child's place when the report was received: the
// village or community the case belongs to.
func (c *Case) Jurisdiction() Jurisdiction { return c.jurisdiction }

// Version is the number of stored events applied (the stream version);
// changes not yet stored do not count.
func (c *Case) Version() int64 { return c.version }

// Status is open or closed.
func (c *Case) Status() CaseStatus { return c.status }

// Source is where the report came from (12355, a mandatory reporter…).
func (c *Case) Source() Source { return c.source }

// Reporter is who made the report.
func (c *Case) Reporter() Reporter { return c.reporter }

// Concerns are the concerns reported.
func (c *Case) Concerns() []Concern { return slices.Clone(c.concerns) }

// Risk is the latest risk level: the reported one until an assessment
// sets it anew.
func (c *Case) Risk() Risk { return c.risk }

// Summary is what the report said.
func (c *Case) Summary() string { return c.summary }

// ReceivedAt is when the report was received (business time).
func (c *Case) ReceivedAt() time.Time { return c.receivedAt }

// Receiver is who recorded the report; the police-report clock is theirs.
func (c *Case) Receiver() Actor { return c.receiver }

// Assignee is the id of the caseworker responsible, "" before assignment.
func (c *Case) Assignee() string { return c.assignee }

// Referrals are the case's referrals in the order they were made.
func (c *Case) Referrals() []Referral { return slices.Clone(c.referrals) }

// Guardianship is the latest temporary guardianship of the child, or nil if
// none was ever started.
func (c *Case) Guardianship() *TemporaryGuardianship {
	if c.guardianship == nil {
		return nil
	}
	g := *c.guardianship
	if g.EndedAt != nil {
		ended := *g.EndedAt
		g.EndedAt = &ended
	}
	return &g
}

// MajorIncident reports whether a major incident (重大事件) was declared.
func (c *Case) MajorIncident() bool { return c.majorIncident }

// PoliceReported reports whether the report was forwarded to the police.
func (c *Case) PoliceReported() bool { return c.policeReported }

// ClosureReason is why the case was closed; zero while it is open.
func (c *Case) ClosureReason() ClosureReason { return c.closureReason }

func (c *Case) guardianshipActive() bool {
	return c.guardianship != nil && c.guardianship.Active
}
