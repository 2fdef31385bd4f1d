package caseview

import (
	"sort"
	"time"

	"github.com/careledger/careledger/domain"
)

// Case is a case as GET /v1/cases/{id} shows it (API.md "Case"), but for
// its deadlines, which the API adds from the deadline view. Every field is
// derived from the case's facts (domain.CaseFacts): the moments are the
// earliest business times — the same the deadlines and the statistics
// measure by.
type Case struct {
	ID           string              `json:"id"`
	ChildID      string              `json:"child_id"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
	Status       string              `json:"status"`
	Source       string              `json:"source"`
	Concerns     []string            `json:"concerns"`
	// Risk is the latest: the report's until an assessment sets it anew.
	Risk       string    `json:"risk"`
	ReceivedAt time.Time `json:"received_at"`
	// ReceivedBy is the worker who recorded the report.
	ReceivedBy string  `json:"received_by"`
	Assignee   *string `json:"assignee"`
	// PoliceReportedAt is the earliest forward to the police,
	// FirstResponseAt the earliest contact with the child, AssessedAt the
	// earliest assessment (business times; nil while none).
	PoliceReportedAt      *time.Time    `json:"police_reported_at"`
	FirstResponseAt       *time.Time    `json:"first_response_at"`
	AssessedAt            *time.Time    `json:"assessed_at"`
	Referrals             []Referral    `json:"referrals"`
	TemporaryGuardianship *Guardianship `json:"temporary_guardianship"`
	MajorIncident         bool          `json:"major_incident"`
	ClosedAt              *time.Time    `json:"closed_at"`
	ClosureReason         *string       `json:"closure_reason"`
	Version               int64         `json:"version"`
	LastPosition          int64         `json:"last_position"`
}

// Referral is a referral of a case and how it stands.
type Referral struct {
	ID      string    `json:"id"`
	Agency  string    `json:"agency"`
	Service string    `json:"service"`
	Status  string    `json:"status"`
	MadeAt  time.Time `json:"made_at"`
	// AnsweredAt is the agency's earliest answer of any kind — acceptance,
	// decline or completion — by business time.
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// Guardianship is a case's latest temporary guardianship.
type Guardianship struct {
	Active    bool       `json:"active"`
	Ground    string     `json:"ground"`
	Placement string     `json:"placement"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

// viewOf derives the view of a case from its facts: the one mapping both
// the rows written and the rows read go through. Times are in UTC, as the
// database gives them back; referrals in the order made (by business time,
// then id).
func viewOf(f domain.CaseFacts) Case {
	c := Case{
		ID: f.ID, ChildID: f.ChildID, Jurisdiction: f.Jurisdiction, Status: f.Status.String(),
		Source: f.Source.String(), Concerns: make([]string, len(f.Concerns)), Risk: f.Risk.String(),
		ReceivedAt: f.ReceivedAt.UTC(), ReceivedBy: f.Receiver.Subject, Assignee: text(f.Assignee),
		PoliceReportedAt: utc(f.PoliceReportedAt), FirstResponseAt: utc(f.FirstResponseAt), AssessedAt: utc(f.FirstAssessedAt()),
		Referrals: make([]Referral, len(f.Referrals)), MajorIncident: len(f.MajorIncidents) > 0,
		ClosedAt: utc(f.ClosedAt), ClosureReason: text(f.ClosureReason.String()),
		Version: f.Version, LastPosition: f.LastPosition,
	}
	for i, k := range f.Concerns {
		c.Concerns[i] = k.String()
	}
	for i, r := range f.Referrals {
		c.Referrals[i] = Referral{ID: r.ID, Agency: r.Agency.String(), Service: r.Service.String(), Status: r.Status.String(),
			MadeAt: r.MadeAt.UTC(), AnsweredAt: utc(r.AnsweredAt)}
	}
	sortReferrals(c.Referrals)
	if g := f.Guardianship(); g != nil {
		c.TemporaryGuardianship = &Guardianship{Active: g.Active, Ground: g.Ground.String(), Placement: g.Placement.String(),
			StartedAt: g.StartedAt.UTC(), EndedAt: utc(g.EndedAt)}
	}
	return c
}

// sortReferrals puts referrals in the order made: by business time, then id.
func sortReferrals(rs []Referral) {
	sort.SliceStable(rs, func(i, j int) bool {
		if !rs[i].MadeAt.Equal(rs[j].MadeAt) {
			return rs[i].MadeAt.Before(rs[j].MadeAt)
		}
		return rs[i].ID < rs[j].ID
	})
}

// text is s, or nil for "".
func text(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// utc is a copy of *t in UTC, or nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
