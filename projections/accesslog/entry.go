package accesslog

import "time"

// Entry is one read of a child's file, case or timeline.
type Entry struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Subject string    `json:"subject"`
	Role    string    `json:"role"`
	// ActorJurisdiction is the reader's own jurisdiction.
	ActorJurisdiction string `json:"actor_jurisdiction"`
	ChildID           string `json:"child_id"`
	// CaseID names the case read, when a case was read.
	CaseID string `json:"case_id,omitempty"`
	// Jurisdiction is where what was read lies: the child's place for a
	// child's file or timeline, the case's (the child's place when it was
	// reported) for a case. Inspectors see the entries within theirs.
	Jurisdiction string `json:"jurisdiction"`
	// Action says what was read: one of the Action… constants.
	Action    string `json:"action"`
	RequestID string `json:"request_id,omitempty"`
}

// The actions of an Entry.
const (
	ActionReadChildFile     = "read_child_file"
	ActionReadChildTimeline = "read_child_timeline"
	ActionReadCase          = "read_case"
	ActionReadCaseTimeline  = "read_case_timeline"
	ActionReadCaseEvents    = "read_case_events"
	ActionReadReport        = "read_accountability_report"
	// ActionReferral: a partner agency (or a caseworker) read what a
	// referral gives the agency of the child's file — the child's name,
	// the guardian's name and phone (GET /v1/referrals/{id}).
	ActionReferral = "referral"
	// ActionList: the child was among those a list of children returned
	// (GET /v1/children), with its name and birth date.
	ActionList = "list"
)
