package report

import (
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/timeline"
)

// Report is the accountability report of an inquiry (重大事件倒查), or of
// a case or a child without one (a trace report).
type Report struct {
	InquiryID  string         `json:"inquiry_id"`
	Subject    Subject        `json:"subject"`
	IncidentAt time.Time      `json:"incident_at"`
	Reason     string         `json:"reason"`
	OpenedBy   timeline.Actor `json:"opened_by"`
	OpenedAt   time.Time      `json:"opened_at"`
	// AsOf is the moment the record is shown as it stood: entries recorded
	// later are left out and obligations are judged at it.
	AsOf      time.Time `json:"as_of"`
	Integrity Integrity `json:"integrity"`
	// Streams are the streams the report rests on, with their versions as
	// of AsOf.
	Streams        []StreamRef     `json:"streams"`
	Deadlines      []Deadline      `json:"deadlines"`
	LateEntries    []LateEntry     `json:"late_entries"`
	Timeline       []timeline.Item `json:"timeline"`
	PolicyVersions []Policy        `json:"policy_versions"`
	// Workers names the registered workers the report mentions (owners and
	// actors), by id, from the real-name register as it stood at AsOf.
	Workers map[string]Worker `json:"workers"`
	// Places are the full Chinese names of the jurisdiction codes the
	// report names — the subject's place, the posts of owners, workers
	// and actors — from the register of divisions (NamePlaces), so that
	// people read places, not digits.
	Places map[string]string `json:"places"`
}

// Worker is a worker of the real-name register (实名制).
type Worker struct {
	Name         string `json:"name"`
	Role         string `json:"role"`
	Jurisdiction string `json:"jurisdiction"`
}

// Subject is what the report looks into: a case (and its child's file) or
// a child (its file and every case about it).
type Subject struct {
	CaseID  string   `json:"case_id,omitempty"`
	ChildID string   `json:"child_id,omitempty"`
	CaseIDs []string `json:"case_ids"`
	// Child is the child the report is about (for a case, the case's
	// child), and Jurisdiction its place (for a case, the case's).
	Child        string `json:"child"`
	Jurisdiction string `json:"jurisdiction"`
}

// Integrity is the verification of the whole log's hash chain and seal,
// made when the report was produced.
type Integrity struct {
	OK                  bool      `json:"ok"`
	Checked             int64     `json:"checked"`
	FirstBrokenPosition *int64    `json:"first_broken_position"`
	Reason              string    `json:"reason,omitempty"`
	VerifiedAt          time.Time `json:"verified_at"`
}

// StreamRef names a stream the report rests on and its last event as of
// AsOf: its version, position and hash, so that the report can be checked
// against the log later.
type StreamRef struct {
	StreamID     string `json:"stream_id"`
	Version      int64  `json:"version"`
	LastPosition int64  `json:"last_position"`
	LastHash     string `json:"last_hash"`
}

// Deadline is a deadline (API.md's shape) with what an inquiry needs: who
// owned it when the incident happened, every owner over time, when its
// clock started, and the policy version that judges it.
type Deadline struct {
	Kind       string `json:"kind"`
	SubjectID  string `json:"subject_id"`
	CaseID     string `json:"case_id,omitempty"`
	ReferralID string `json:"referral_id,omitempty"`
	// Owner and OwnerAtIncident are persons where a person held the post
	// (resolveOwners); Vacant and VacantAtIncident mark a post nobody held.
	Owner            string                `json:"owner"`
	Vacant           bool                  `json:"vacant,omitempty"`
	OwnerAtIncident  string                `json:"owner_at_incident"`
	VacantAtIncident bool                  `json:"vacant_at_incident,omitempty"`
	Owners           []domain.ResolvedSpan `json:"owners"`
	StartedAt        time.Time             `json:"started_at"`
	DueAt            time.Time             `json:"due_at"`
	Status           string                `json:"status"`
	MetAt            *time.Time            `json:"met_at,omitempty"`
	PolicyVersion    int64                 `json:"policy_version"`
}

// LateEntry is an entry recorded late by the domain's rule (domain.LateEntry):
// more than the late-entry threshold of the policy in force when it
// occurred after it occurred.
type LateEntry struct {
	Type           string         `json:"type"`
	OccurredAt     time.Time      `json:"occurred_at"`
	RecordedAt     time.Time      `json:"recorded_at"`
	DelayHours     float64        `json:"delay_hours"`
	ThresholdHours float64        `json:"threshold_hours"`
	Actor          timeline.Actor `json:"actor"`
	GlobalPosition int64          `json:"global_position"`
	Summary        string         `json:"summary"`
	CaseID         string         `json:"case_id,omitempty"`
}

// Policy is a deadline policy version: 0 is the default policy, in force
// until the first recorded change.
type Policy struct {
	Version    int64                 `json:"version"`
	From       *time.Time            `json:"from,omitempty"`
	RecordedAt *time.Time            `json:"recorded_at,omitempty"`
	Policy     domain.DeadlinePolicy `json:"policy"`
	// Applied says whether a deadline of the report is judged by it.
	Applied bool `json:"applied"`
}

// ErrNoInquiry: no inquiry has the id (or none was recorded by the as-of
// moment, or its subject lies outside the reader's jurisdiction). It
// matches domain.ErrNotFound.
var ErrNoInquiry = fmt.Errorf("inquiry: %w", domain.ErrNotFound)
