package domain

// Reporter is who reported a concern about a child.
type Reporter struct {
	Type  ReporterType `json:"type"`
	Name  string       `json:"name,omitempty"`
	Phone string       `json:"phone,omitempty"`
}

// ReportReceived opens a case: a concern about a child reached the center
// (the 12355 line, a mandatory reporter, a visit…). Its occurred_at is the
// time the report was received.
type ReportReceived struct {
	CaseID       string       `json:"case_id"`
	ChildID      string       `json:"child_id"`
	Jurisdiction Jurisdiction `json:"jurisdiction"` // the child's place
	Source       Source       `json:"source"`
	Reporter     Reporter     `json:"reporter"`
	Concerns     []Concern    `json:"concerns"`
	Risk         Risk         `json:"risk"`
	Summary      string       `json:"summary"`
}

// ReportForwardedToPolice: the report was passed to the police (强制报告).
type ReportForwardedToPolice struct {
	PoliceUnit string `json:"police_unit"`
	Reference  string `json:"reference,omitempty"`
}

// EmergencyResponseRecorded: the child was made safe now (应急处置); this is
// also the first response (contact with the child).
type EmergencyResponseRecorded struct {
	Action string `json:"action"`
	Note   string `json:"note,omitempty"`
}

// CaseAssigned: a caseworker takes responsibility; later deadlines are theirs.
type CaseAssigned struct {
	WorkerID string `json:"worker_id"`
}

// AssessmentCompleted: risk and needs assessed (评估), optionally with a
// guardianship assessment (监护评估).
type AssessmentCompleted struct {
	Risk                   Risk     `json:"risk"`
	Needs                  []string `json:"needs"`
	GuardianshipAssessment string   `json:"guardianship_assessment,omitempty"`
	// GuardianshipAssessed says that the assessment assessed the
	// guardianship. The assessment itself is personal and reads empty once
	// the child's data is erased; this flag is not, so the guardianship
	// assessment clock reads the same before and after an erasure. (Events
	// recorded before the flag existed have only the text.)
	GuardianshipAssessed bool `json:"guardianship_assessed,omitempty"`
}

// CaseConferenceHeld: a case conference (个案会商) with departments.
type CaseConferenceHeld struct {
	Agencies  []Agency `json:"agencies"`
	Decisions string   `json:"decisions"`
}

// ReferralMade: the case is referred to an agency for a service (服务转介).
type ReferralMade struct {
	ReferralID string  `json:"referral_id"`
	Agency     Agency  `json:"agency"`
	Service    Service `json:"service"`
	Note       string  `json:"note,omitempty"`
}

// ReferralAccepted: the agency takes the referral on.
type ReferralAccepted struct {
	ReferralID string `json:"referral_id"`
	Note       string `json:"note,omitempty"`
}

// ReferralDeclined: the agency declines, with a reason.
type ReferralDeclined struct {
	ReferralID string `json:"referral_id"`
	Reason     string `json:"reason"`
}

// ReferralCompleted: the agency has delivered the service.
type ReferralCompleted struct {
	ReferralID string `json:"referral_id"`
	Note       string `json:"note,omitempty"`
}

// TemporaryGuardianshipStarted: the center takes the child in (临时监护,
// 未成年人保护法 art. 92).
type TemporaryGuardianshipStarted struct {
	Ground    GuardianshipGround `json:"ground"`
	Placement Placement          `json:"placement"`
}

// TemporaryGuardianshipEnded: temporary guardianship ends, e.g. by return to
// the family after assessment.
type TemporaryGuardianshipEnded struct {
	Outcome GuardianshipOutcome `json:"outcome"`
}

// GuardianshipInterventionRecorded: a measure on the guardian (监护干预).
type GuardianshipInterventionRecorded struct {
	Measure string `json:"measure"`
	Note    string `json:"note,omitempty"`
}

// FollowUpRecorded: a visit or contact while the case is open or after
// closure.
type FollowUpRecorded struct {
	Note   string `json:"note"`
	Method string `json:"method,omitempty"`
}

// MajorIncidentDeclared starts the trace-back (倒查) clock.
type MajorIncidentDeclared struct {
	Description string `json:"description"`
}

// CaseClosed closes the case with a reason.
type CaseClosed struct {
	Reason ClosureReason `json:"reason"`
}

// CaseReopened reopens a closed case.
type CaseReopened struct {
	Reason string `json:"reason"`
}

func (ReportReceived) EventType() string               { return "case.report_received" }
func (ReportForwardedToPolice) EventType() string      { return "case.report_forwarded_to_police" }
func (EmergencyResponseRecorded) EventType() string    { return "case.emergency_response_recorded" }
func (CaseAssigned) EventType() string                 { return "case.assigned" }
func (AssessmentCompleted) EventType() string          { return "case.assessment_completed" }
func (CaseConferenceHeld) EventType() string           { return "case.conference_held" }
func (ReferralMade) EventType() string                 { return "case.referral_made" }
func (ReferralAccepted) EventType() string             { return "case.referral_accepted" }
func (ReferralDeclined) EventType() string             { return "case.referral_declined" }
func (ReferralCompleted) EventType() string            { return "case.referral_completed" }
func (TemporaryGuardianshipStarted) EventType() string { return "case.temporary_guardianship_started" }
func (TemporaryGuardianshipEnded) EventType() string   { return "case.temporary_guardianship_ended" }
func (GuardianshipInterventionRecorded) EventType() string {
	return "case.guardianship_intervention_recorded"
}
func (FollowUpRecorded) EventType() string      { return "case.follow_up_recorded" }
func (MajorIncidentDeclared) EventType() string { return "case.major_incident_declared" }
func (CaseClosed) EventType() string            { return "case.closed" }
func (CaseReopened) EventType() string          { return "case.reopened" }
