package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Rules a case keeps: the RuleError.Rule of an action that would break one.
const (
	// RuleNoCase: no report has opened the case.
	RuleNoCase = "no_case"
	// RuleCaseClosed: a closed case accepts nothing but follow-ups, a
	// major-incident declaration and reopening.
	RuleCaseClosed = "case_closed"
	// RuleCaseOpen: only a closed case can be reopened.
	RuleCaseOpen = "case_open"
	// RuleAlreadyAssigned: the case is already assigned to that caseworker.
	RuleAlreadyAssigned = "already_assigned"
	// RuleGuardianshipActive: temporary guardianship is active, so it cannot
	// start again and the case cannot close.
	RuleGuardianshipActive = "guardianship_active"
	// RuleNoGuardianship: there is no active temporary guardianship to end.
	RuleNoGuardianship = "no_guardianship"
	// RuleReferralPending: a referral is still pending or accepted but not
	// completed, so the case cannot close.
	RuleReferralPending = "referral_pending"
	// RuleUnknownReferral: the case has no referral with that id.
	RuleUnknownReferral = "unknown_referral"
	// RuleReferralExists: the case already has a referral with that id.
	RuleReferralExists = "referral_exists"
	// RuleReferralStatus: the referral is not in a state that allows the
	// answer (accept and decline a pending one, complete an accepted one).
	RuleReferralStatus = "referral_status"
)

// Longest free texts of a case, in characters (runes); see also fields.go.
const (
	caseLongTextLimit  = 2 * MaxTextRunes // summary, decisions, guardianship assessment
	caseTextLimit      = MaxTextRunes     // actions, notes, reasons, descriptions, needs
	caseShortTextLimit = MaxIDRunes       // ids, police units, references, methods
)

// ReceiveReport opens a case on a report about a child (step 1): any case
// actor may receive one, and the 12355 desk (a partner of the Youth League)
// one of the 12355 line. The report's business time is when it was received.
func ReceiveReport(by Principal, now time.Time, child CaseChild, in ReportInput) (*Case, error) {
	if err := ActReceiveReport.Check(by); err != nil {
		return nil, err
	}
	if err := checkReportDesk(by, in.Source); err != nil {
		return nil, err
	}
	e, err := in.reportReceived(child)
	if err != nil {
		return nil, err
	}
	if err := checkOccurredAt("received_at", in.ReceivedAt, now, child.BirthDate); err != nil {
		return nil, err
	}
	c := &Case{child: child}
	c.record(Change{Event: e, Actor: by.Actor, OccurredAt: in.ReceivedAt})
	return c, nil
}

// reportReceived validates the report and gives its event.
func (in ReportInput) reportReceived(child CaseChild) (ReportReceived, error) {
	var err error
	e := ReportReceived{ChildID: child.ID, Jurisdiction: child.Jurisdiction, Source: in.Source, Risk: in.Risk}
	if e.CaseID, err = caseText("case_id", in.CaseID, true, caseShortTextLimit); err != nil {
		return e, err
	}
	if strings.TrimSpace(child.ID) == "" {
		return e, invalid("child_id", "is required")
	}
	if !child.Jurisdiction.IsPlace() {
		return e, invalid("jurisdiction", "the child's file names no village or community (12-digit code)")
	}
	if in.Source.IsZero() {
		return e, invalid("source", "is required")
	}
	if e.Reporter, err = checkReporter(in.Reporter); err != nil {
		return e, err
	}
	if len(in.Concerns) == 0 {
		return e, invalid("concerns", "at least one concern is required")
	}
	for i, k := range in.Concerns {
		if k.IsZero() {
			return e, invalid("concerns", "concern %d is empty", i+1)
		}
		if slices.Contains(in.Concerns[:i], k) {
			return e, invalid("concerns", "%q is listed twice", k)
		}
	}
	e.Concerns = slices.Clone(in.Concerns)
	if in.Risk.IsZero() {
		return e, invalid("risk", "is required")
	}
	if e.Summary, err = caseText("summary", in.Summary, true, caseLongTextLimit); err != nil {
		return e, err
	}
	return e, nil
}

func checkReporter(r Reporter) (Reporter, error) {
	var err error
	if r.Type.IsZero() {
		return r, invalid("reporter.type", "is required")
	}
	if r.Name, err = caseText("reporter.name", r.Name, false, MaxNameRunes); err != nil {
		return r, err
	}
	r.Phone = strings.TrimSpace(r.Phone)
	return r, phoneNumber("reporter.phone", r.Phone)
}

// ForwardToPolice records that the report was passed to the police
// (step 2, 强制报告); any case actor may do it, and may do it again.
func (c *Case) ForwardToPolice(by Principal, now, at time.Time, policeUnit, reference string) error {
	if err := c.precheck(by, ActForwardToPolice); err != nil {
		return err
	}
	unit, err := caseText("police_unit", policeUnit, true, caseShortTextLimit)
	if err != nil {
		return err
	}
	ref, err := caseText("reference", reference, false, caseShortTextLimit)
	if err != nil {
		return err
	}
	return c.decideOpen(by, now, at, ReportForwardedToPolice{PoliceUnit: unit, Reference: ref})
}

// RecordEmergencyResponse records that the child was made safe (step 3,
// 应急处置): by a caseworker, or the child's supervisor or director on the spot.
func (c *Case) RecordEmergencyResponse(by Principal, now, at time.Time, action, note string) error {
	if err := c.precheck(by, ActRecordEmergencyResponse); err != nil {
		return err
	}
	a, err := caseText("action", action, true, caseTextLimit)
	if err != nil {
		return err
	}
	n, err := caseText("note", note, false, caseTextLimit)
	if err != nil {
		return err
	}
	return c.decideOpen(by, now, at, EmergencyResponseRecorded{Action: a, Note: n})
}

// Assign makes a caseworker responsible for the case (step 4), from now on.
// Assigning the current assignee again is refused: it would change nothing.
func (c *Case) Assign(by Principal, now time.Time, workerID string) error {
	if err := c.precheck(by, ActAssignCase); err != nil {
		return err
	}
	id, err := caseText("worker_id", workerID, true, caseShortTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	if id == c.facts.Assignee {
		return ruleBroken(RuleAlreadyAssigned, "case %s is already assigned to %s", c.facts.ID, id)
	}
	c.record(Change{Event: CaseAssigned{WorkerID: id}, Actor: by.Actor, OccurredAt: now})
	return nil
}

// CompleteAssessment records a caseworker's assessment of risk and needs
// (step 5), optionally with a guardianship assessment (监护评估). Its risk
// becomes the case's.
func (c *Case) CompleteAssessment(by Principal, now, at time.Time, risk Risk, needs []string, guardianshipAssessment string) error {
	if err := c.precheck(by, ActCompleteAssessment); err != nil {
		return err
	}
	if risk.IsZero() {
		return invalid("risk", "is required")
	}
	if len(needs) > 100 {
		return invalid("needs", "lists %d needs, at most 100 are allowed", len(needs))
	}
	e := AssessmentCompleted{Risk: risk, Needs: make([]string, 0, len(needs))}
	for _, need := range needs {
		n, err := caseText("needs", need, true, caseTextLimit)
		if err != nil {
			return err
		}
		e.Needs = append(e.Needs, n)
	}
	ga, err := caseText("guardianship_assessment", guardianshipAssessment, false, caseLongTextLimit)
	if err != nil {
		return err
	}
	e.GuardianshipAssessment, e.GuardianshipAssessed = ga, ga != ""
	return c.decideOpen(by, now, at, e)
}

// HoldConference records a case conference (step 6, 个案会商): the
// departments present and the decisions taken.
func (c *Case) HoldConference(by Principal, now, at time.Time, agencies []Agency, decisions string) error {
	if err := c.precheck(by, ActHoldConference); err != nil {
		return err
	}
	if len(agencies) == 0 {
		return invalid("agencies", "at least one agency is required")
	}
	for i, a := range agencies {
		if a.IsZero() {
			return invalid("agencies", "agency %d is empty", i+1)
		}
		if slices.Contains(agencies[:i], a) {
			return invalid("agencies", "%q is listed twice", a)
		}
	}
	d, err := caseText("decisions", decisions, true, caseLongTextLimit)
	if err != nil {
		return err
	}
	return c.decideOpen(by, now, at, CaseConferenceHeld{Agencies: slices.Clone(agencies), Decisions: d})
}

// RecordIntervention records a measure on the guardian (step 9, 监护干预):
// warning and education, family-education guidance, a protection order…
func (c *Case) RecordIntervention(by Principal, now, at time.Time, measure, note string) error {
	if err := c.precheck(by, ActRecordIntervention); err != nil {
		return err
	}
	m, err := caseText("measure", measure, true, caseTextLimit)
	if err != nil {
		return err
	}
	n, err := caseText("note", note, false, caseTextLimit)
	if err != nil {
		return err
	}
	return c.decideOpen(by, now, at, GuardianshipInterventionRecorded{Measure: m, Note: n})
}

// RecordFollowUp records a visit or contact (step 10) by any case actor,
// while the case is open or after it closed.
func (c *Case) RecordFollowUp(by Principal, now, at time.Time, note, method string) error {
	if err := c.precheck(by, ActRecordFollowUp); err != nil {
		return err
	}
	n, err := caseText("note", note, true, caseTextLimit)
	if err != nil {
		return err
	}
	m, err := caseText("method", method, false, caseShortTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	c.record(Change{Event: FollowUpRecorded{Note: n, Method: m}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// DeclareMajorIncident declares a major incident (step 11, 重大事件), which
// starts the trace-back clock; by a caseworker or an inspector, on an open
// or a closed case. Each incident is declared, so a second one is recorded
// too.
func (c *Case) DeclareMajorIncident(by Principal, now, at time.Time, description string) error {
	if err := c.precheck(by, ActDeclareMajorIncident); err != nil {
		return err
	}
	d, err := caseText("description", description, true, caseTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	c.record(Change{Event: MajorIncidentDeclared{Description: d}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// Close closes an open case with a reason (step 12). A caseworker closes
// it, and not while temporary guardianship is active or a referral awaits
// an answer or its completion.
func (c *Case) Close(by Principal, now, at time.Time, reason ClosureReason) error {
	if err := c.precheck(by, ActCloseCase); err != nil {
		return err
	}
	if reason.IsZero() {
		return invalid("reason", "is required")
	}
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	if c.facts.GuardianshipActive() {
		return ruleBroken(RuleGuardianshipActive, "temporary guardianship is active: end it before closing the case")
	}
	if open := c.facts.PendingReferrals(); len(open) > 0 {
		return ruleBroken(RuleReferralPending, "referrals not yet answered or completed: %s", strings.Join(open, ", "))
	}
	c.record(Change{Event: CaseClosed{Reason: reason}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// Reopen reopens a closed case, now, with a reason; only a caseworker may.
func (c *Case) Reopen(by Principal, now time.Time, reason string) error {
	if err := c.precheck(by, ActReopenCase); err != nil {
		return err
	}
	why, err := caseText("reason", reason, true, caseTextLimit)
	if err != nil {
		return err
	}
	if c.facts.Status != StatusClosed {
		return ruleBroken(RuleCaseOpen, "case %s is open: only a closed case can be reopened", c.facts.ID)
	}
	c.record(Change{Event: CaseReopened{Reason: why}, Actor: by.Actor, OccurredAt: now})
	return nil
}

// precheck refuses a principal whose role may not do the act, and a case
// that no report opened.
func (c *Case) precheck(by Principal, a Act) error {
	if err := a.Check(by); err != nil {
		return err
	}
	if !c.facts.Opened() {
		return ruleBroken(RuleNoCase, "no report has opened this case")
	}
	return nil
}

// decideOpen records e at business time at, if the time can be and the
// case is open.
func (c *Case) decideOpen(by Principal, now, at time.Time, e Event) error {
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	c.record(Change{Event: e, Actor: by.Actor, OccurredAt: at})
	return nil
}

func (c *Case) checkOpen() error {
	if c.facts.Status == StatusClosed {
		return ruleBroken(RuleCaseClosed, "case %s is closed: it accepts only follow-ups, a major-incident declaration and reopening", c.facts.ID)
	}
	return nil
}

// checkAt refuses a business time that is missing, in the future, before
// the child's birth or before the report was received.
func (c *Case) checkAt(at, now time.Time) error {
	if err := checkOccurredAt("occurred_at", at, now, c.child.BirthDate); err != nil {
		return err
	}
	if at.Before(c.facts.ReceivedAt) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before the report was received (%s)",
			at.Format(time.RFC3339), c.facts.ReceivedAt.Format(time.RFC3339))}
	}
	return nil
}

// caseText trims a free text and checks it is given when required and not
// longer than limit characters.
func caseText(field, s string, required bool, limit int) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid(field, "is not valid UTF-8")
	}
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", invalid(field, "is required")
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return "", invalid(field, "has %d characters, at most %d are allowed", n, limit)
	}
	return s, nil
}
