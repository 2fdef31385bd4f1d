package report

import (
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/timeline"
)

// Report is the accountability report of an inquiry (重大事件倒查), or of
// a case or a child without one (a trace report).
type Report struct {
	InquiryID  string    `json:"inquiry_id"`
	Subject    Subject   `json:"subject"`
	IncidentAt time.Time `json:"incident_at"`
	// Reason is why the inquiry was opened: a text about the child (its
	// personal data), null once the child's data is erased, and in a
	// trace report.
	Reason   *string        `json:"reason"`
	OpenedBy timeline.Actor `json:"opened_by"`
	OpenedAt time.Time      `json:"opened_at"`
	// AsOf is the moment the record is shown as it stood: entries recorded
	// later are left out and obligations are judged at it.
	AsOf      time.Time `json:"as_of"`
	Integrity Integrity `json:"integrity"`
	// Streams are the streams the report rests on, with their versions as
	// of AsOf (as far as the reader may see them: StreamRef.Withheld).
	Streams []StreamRef `json:"streams"`
	// CasesWithheld is set when a report on a child leaves out cases of
	// the child that lie, as of AsOf, outside the reader's jurisdiction
	// (属地管理); it names none of them.
	CasesWithheld  bool            `json:"cases_withheld,omitempty"`
	Deadlines      []Deadline      `json:"deadlines"`
	LateEntries    []LateEntry     `json:"late_entries"`
	Timeline       []timeline.Item `json:"timeline"`
	PolicyVersions []Policy        `json:"policy_versions"`
	// People are the registered workers who acted on the record or owned
	// one of its obligations (or were held responsible, or own a
	// rectification item), each with its post and qualification at the
	// incident (for a trace report, at AsOf), in the order they first
	// appear.
	People []Person `json:"people"`
	// Reads are the reads of the child's file and of the report's cases
	// that the access log holds from ReadsFrom (the child's registration)
	// to AsOf, oldest first.
	Reads     []Read    `json:"reads"`
	ReadsFrom time.Time `json:"reads_from"`
	// Corrections are the corrections (EntryCorrected) of the child's and
	// the cases' entries recorded by AsOf, in log order.
	Corrections []Correction `json:"corrections"`
	// Findings, Rectifications and Closed are the inquiry's outcome as
	// recorded by AsOf: absent until the findings are recorded (and, for
	// Closed, until the inquiry is closed), and always absent from a trace
	// report. Rectifications is present, perhaps empty, with the findings.
	Findings       *Findings       `json:"findings,omitempty"`
	Rectifications []Rectification `json:"rectifications,omitzero"`
	Closed         *Closure        `json:"closed,omitempty"`
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

// Person is a registered worker the report concerns (API.md "people").
type Person struct {
	WorkerID string `json:"worker_id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	// Jurisdiction is the post the worker held at the incident (for a trace
	// report, at AsOf); for a worker who held none then (not yet
	// registered, or deactivated), the last post by the register as it
	// stood at AsOf, with InPost false.
	Jurisdiction string `json:"jurisdiction"`
	InPost       bool   `json:"in_post"`
	// QualificationAtIncident is where the worker's training stood at the
	// incident (at AsOf for a trace report), by the policy then in force.
	QualificationAtIncident string `json:"qualification_at_incident"`
	// Involvement says why the worker is named: "actor" (recorded an
	// entry), "owner" (owned an obligation), "responsible" (held
	// responsible by the findings), "rectification_owner".
	Involvement []string `json:"involvement"`
}

// The involvements of a Person.
const (
	InvolvedActor              = "actor"
	InvolvedOwner              = "owner"
	InvolvedResponsible        = "responsible"
	InvolvedRectificationOwner = "rectification_owner"
)

// Read is a read of the child's file or of one of the report's cases, from
// the access log: who read, in which role, when, and what.
type Read struct {
	Subject string    `json:"subject"`
	Role    string    `json:"role"`
	At      time.Time `json:"at"`
	Action  string    `json:"action"`
	// CaseID names the case read, when a case was read.
	CaseID string `json:"case_id,omitempty"`
}

// Correction is a correction of an entry of the child's file or of a case
// (EntryCorrected): the names of the corrected fields and, for each, the
// value the entry holds (the original stays) and the corrected one, read
// from the log as the report's other personal data are; its reason stays
// out, as the timeline leaves it out. Once the child's data is erased the
// fields and values are gone (Erased).
type Correction struct {
	Position         int64          `json:"position"`
	StreamID         string         `json:"stream_id"`
	CaseID           string         `json:"case_id,omitempty"`
	CorrectsPosition int64          `json:"corrects_position"`
	CorrectedType    string         `json:"corrected_type"`
	Fields           []string       `json:"fields"`
	By               timeline.Actor `json:"by"`
	OccurredAt       time.Time      `json:"occurred_at"`
	RecordedAt       time.Time      `json:"recorded_at"`
	// CorrectedOccurredAt and CorrectedRecordedAt are those of the entry
	// corrected (absent when the log does not hold it as of AsOf), and
	// DelayHours how long it stood uncorrected: from its recording to the
	// correction's.
	CorrectedOccurredAt *time.Time `json:"corrected_occurred_at,omitempty"`
	CorrectedRecordedAt *time.Time `json:"corrected_recorded_at,omitempty"`
	DelayHours          float64    `json:"delay_hours"`
	Summary             string     `json:"summary"`
	// Changes are the corrected fields with their original and corrected
	// values (empty once erased).
	Changes []timeline.Change `json:"changes"`
	Erased  bool              `json:"erased,omitempty"`
}

// Findings are an inquiry's findings (InquiryFindingsRecorded): what was
// found and who was responsible for what. Their texts are written about the
// child and are its personal data: sealed under its key, they read null once
// its data is erased (erasedText), while who was responsible stays.
type Findings struct {
	OccurredAt       time.Time        `json:"occurred_at"`
	RecordedAt       time.Time        `json:"recorded_at"`
	Findings         *string          `json:"findings"`
	Responsibilities []Responsibility `json:"responsibilities"`
	RecordedBy       timeline.Actor   `json:"recorded_by"`
}

// Responsibility is a worker the findings hold responsible, by name from
// the register, and for what.
type Responsibility struct {
	WorkerID string  `json:"worker_id"`
	Name     string  `json:"name"`
	Finding  *string `json:"finding"`
}

// Rectification is a rectification item (整改事项) of the findings with its
// status as of AsOf, judged by the inquiry's clock (domain.InquiryDeadlines):
// open, met, met_late or missed.
type Rectification struct {
	ID          string      `json:"id"`
	Description *string     `json:"description"`
	Owner       string      `json:"owner"`
	OwnerName   string      `json:"owner_name,omitempty"`
	DueOn       domain.Date `json:"due_on"`
	DueAt       time.Time   `json:"due_at"`
	Status      string      `json:"status"`
	CompletedAt *time.Time  `json:"completed_at,omitempty"`
}

// Closure is the inquiry's closing (InquiryClosed): when, by whom, and its
// conclusion (null once the child's data is erased).
type Closure struct {
	At         time.Time      `json:"at"`
	RecordedAt time.Time      `json:"recorded_at"`
	Conclusion *string        `json:"conclusion"`
	By         timeline.Actor `json:"by"`
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

// Integrity is the verification of the whole log's hash chain and seal up
// to Head, made when the report was produced, and how it was made: the
// events walked for it, and the last walk of the whole log (see
// eventstore's "Verifying often": an event before the head verified before
// that was rewritten since that walk shows only at the next one).
type Integrity struct {
	OK bool `json:"ok"`
	// Checked counts the events the verification covers: the whole log up
	// to Head when OK.
	Checked             int64     `json:"checked"`
	FirstBrokenPosition *int64    `json:"first_broken_position"`
	Reason              string    `json:"reason,omitempty"`
	VerifiedAt          time.Time `json:"verified_at"`
	// Head is the last event covered; every stream's last event above lies
	// at or before it.
	Head eventstore.Anchor `json:"head"`
	// Walked counts the events re-hashed for this report; Full is true
	// when that walk went from position 1.
	Walked       int64               `json:"walked"`
	Full         bool                `json:"full"`
	LastFullWalk eventstore.FullWalk `json:"last_full_walk"`
}

// StreamRef names a stream the report rests on and its last event as of
// AsOf: its version, position and hash, so that the report can be checked
// against the log later.
type StreamRef struct {
	StreamID     string `json:"stream_id"`
	Version      int64  `json:"version"`
	LastPosition int64  `json:"last_position"`
	LastHash     string `json:"last_hash"`
	// Withheld is set when the stream, as of AsOf, holds entries the reader
	// may not see: those of a child recorded after it left the reader's
	// jurisdiction (属地管理). The move out is shown, without where to;
	// Version, LastPosition and LastHash are those of the last entry shown
	// in full (zero and empty when none is), so that the report can still
	// be checked against the log.
	Withheld bool `json:"withheld,omitempty"`
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

// erasedText is a text of an inquiry about the child as the report shows
// it: nil (null) when it reads empty, which is how a sealed text reads once
// the child's data is erased (every such text is required, so it is never
// recorded empty).
func erasedText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
