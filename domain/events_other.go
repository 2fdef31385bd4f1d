package domain

import "time"

// WorkerRegistered enters a worker in the real-name register (实名制).
type WorkerRegistered struct {
	WorkerID     string       `json:"worker_id"`
	Name         string       `json:"name"`
	Role         Role         `json:"role"`
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	Agency       Agency       `json:"agency,omitzero"`
}

// WorkerTrainingRecorded records a training and whether it was passed
// (经培训考核合格后方可开展工作; 每年至少轮训一次).
type WorkerTrainingRecorded struct {
	Passed      bool `json:"passed"`
	CompletedOn Date `json:"completed_on"`
}

// WorkerDeactivated takes a worker off the register's active posts from its
// occurred_at: the worker no longer holds any post, and the worker's tokens
// stop working. The register keeps the entry and every post it held.
type WorkerDeactivated struct {
	Reason string `json:"reason"`
}

// WorkerTransferred moves a worker to another post from its occurred_at: the
// worker serves Jurisdiction from then on, and held From until then.
type WorkerTransferred struct {
	From         Jurisdiction `json:"from"`
	Jurisdiction Jurisdiction `json:"jurisdiction"`
}

// InquiryOpened opens an accountability inquiry (倒查) into a case or a child.
type InquiryOpened struct {
	InquiryID  string    `json:"inquiry_id"`
	CaseID     string    `json:"case_id,omitempty"`
	ChildID    string    `json:"child_id,omitempty"`
	IncidentAt time.Time `json:"incident_at"`
	Reason     string    `json:"reason"`
	// DataSubjectID is the child whose personal data the inquiry's texts
	// (its reason, findings, notes and conclusion) are about (个人信息主体):
	// the child inquired into, or the child of the case inquired into.
	// Those texts are sealed under that child's key and go with its
	// erasure (PersonalFields). Inquiries opened before it was recorded
	// have none; their texts stay as they were written.
	DataSubjectID string `json:"data_subject_id,omitempty"`
}

// InquiryFindingsRecorded closes an inquiry's investigation with its
// findings: who was responsible for what, and the rectification items that
// follow, each with an owner and a due date (督促整改落实). Jurisdiction is
// where the inquiry's subject lay when the findings were made.
type InquiryFindingsRecorded struct {
	Jurisdiction     Jurisdiction     `json:"jurisdiction"`
	Findings         string           `json:"findings"`
	Responsibilities []Responsibility `json:"responsibilities"`
	Rectifications   []Rectification  `json:"rectifications"`
}

// Responsibility is a worker the findings hold responsible, and for what.
type Responsibility struct {
	WorkerID string `json:"worker_id"`
	Finding  string `json:"finding"`
}

// Rectification is a rectification item (整改事项): what is to be done, by
// whom (a worker of the register), by when (the end of DueOn, China
// Standard Time).
type Rectification struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Owner       string `json:"owner"`
	DueOn       Date   `json:"due_on"`
}

// RectificationCompleted: a rectification item was done.
type RectificationCompleted struct {
	RectificationID string `json:"rectification_id"`
	Note            string `json:"note"`
}

// InquiryClosed closes an inquiry with its conclusion.
type InquiryClosed struct {
	Conclusion string `json:"conclusion"`
}

// DeadlinePolicyChanged puts a new deadline policy in force from its
// occurred_at.
type DeadlinePolicyChanged struct {
	Policy DeadlinePolicy `json:"policy"`
}

func (WorkerRegistered) EventType() string        { return "worker.registered" }
func (WorkerTrainingRecorded) EventType() string  { return "worker.training_recorded" }
func (WorkerDeactivated) EventType() string       { return "worker.deactivated" }
func (WorkerTransferred) EventType() string       { return "worker.transferred" }
func (InquiryOpened) EventType() string           { return "inquiry.opened" }
func (InquiryFindingsRecorded) EventType() string { return "inquiry.findings_recorded" }
func (RectificationCompleted) EventType() string  { return "inquiry.rectification_completed" }
func (InquiryClosed) EventType() string           { return "inquiry.closed" }
func (DeadlinePolicyChanged) EventType() string   { return "policy.deadline_policy_changed" }
