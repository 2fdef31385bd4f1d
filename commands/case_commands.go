package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// onCase runs a command on an existing case: the case must exist and lie
// within the principal's jurisdiction (else ErrNotFound), and a director or
// supervisor must be trained at the act's business time.
func (h *Handlers) onCase(ctx context.Context, call Call, caseID string, at time.Time, act func(c *domain.Case, by domain.Principal) error) (Result, error) {
	res, err := h.execute(ctx, call, domain.CaseStream(caseID), caseVisible(call.Principal, caseID), func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		facts := domain.FoldCase(history)
		childHistory, err := h.history(ctx, domain.ChildStream(facts.ChildID))
		if err != nil {
			return nil, err
		}
		c := domain.LoadCase(domain.LoadChild(childHistory).CaseChild(), history)
		if at.IsZero() {
			at = h.now()
		}
		by := call.Principal
		if err := h.qualify(ctx, &by, at); err != nil {
			return nil, err
		}
		if err := act(c, by); err != nil {
			return nil, err
		}
		return c.Changes(), nil
	})
	res.ID = caseID
	return res, err
}

// orNow is the business time of an act whose occurred_at is optional.
func orNow(at time.Time, now func() time.Time) time.Time {
	if at.IsZero() {
		return now()
	}
	return at
}

// ForwardToPolice (POST /v1/cases/{id}/police-report).
type ForwardToPolice struct {
	CaseID     string
	OccurredAt time.Time
	PoliceUnit string
	Reference  string
}

// ForwardToPolice carries out the command.
func (h *Handlers) ForwardToPolice(ctx context.Context, call Call, cmd ForwardToPolice) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.ForwardToPolice(by, h.now(), cmd.OccurredAt, cmd.PoliceUnit, cmd.Reference)
	})
}

// RecordEmergencyResponse (POST /v1/cases/{id}/emergency-response).
type RecordEmergencyResponse struct {
	CaseID     string
	OccurredAt time.Time
	Action     string
	Note       string
}

// RecordEmergencyResponse carries out the command.
func (h *Handlers) RecordEmergencyResponse(ctx context.Context, call Call, cmd RecordEmergencyResponse) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.RecordEmergencyResponse(by, h.now(), cmd.OccurredAt, cmd.Action, cmd.Note)
	})
}

// CompleteAssessment (POST /v1/cases/{id}/assessments).
type CompleteAssessment struct {
	CaseID                 string
	OccurredAt             time.Time
	Risk                   domain.Risk
	Needs                  []string
	GuardianshipAssessment string
}

// CompleteAssessment carries out the command.
func (h *Handlers) CompleteAssessment(ctx context.Context, call Call, cmd CompleteAssessment) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.CompleteAssessment(by, h.now(), cmd.OccurredAt, cmd.Risk, cmd.Needs, cmd.GuardianshipAssessment)
	})
}

// HoldConference (POST /v1/cases/{id}/conferences).
type HoldConference struct {
	CaseID     string
	OccurredAt time.Time
	Agencies   []domain.Agency
	Decisions  string
}

// HoldConference carries out the command.
func (h *Handlers) HoldConference(ctx context.Context, call Call, cmd HoldConference) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.HoldConference(by, h.now(), cmd.OccurredAt, cmd.Agencies, cmd.Decisions)
	})
}

// AcceptReferral (POST /v1/cases/{id}/referrals/{rid}/acceptance).
type AcceptReferral struct {
	CaseID, ReferralID string
	OccurredAt         time.Time // optional
	Note               string
}

// AcceptReferral carries out the command.
func (h *Handlers) AcceptReferral(ctx context.Context, call Call, cmd AcceptReferral) (Result, error) {
	at := orNow(cmd.OccurredAt, h.now)
	return h.onCase(ctx, call, cmd.CaseID, at, func(c *domain.Case, by domain.Principal) error {
		return c.AcceptReferral(by, h.now(), at, cmd.ReferralID, cmd.Note)
	})
}

// DeclineReferral (POST /v1/cases/{id}/referrals/{rid}/decline).
type DeclineReferral struct {
	CaseID, ReferralID string
	Reason             string
}

// DeclineReferral carries out the command.
func (h *Handlers) DeclineReferral(ctx context.Context, call Call, cmd DeclineReferral) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, time.Time{}, func(c *domain.Case, by domain.Principal) error {
		return c.DeclineReferral(by, h.now(), cmd.ReferralID, cmd.Reason)
	})
}

// CompleteReferral (POST /v1/cases/{id}/referrals/{rid}/completion).
type CompleteReferral struct {
	CaseID, ReferralID string
	OccurredAt         time.Time // optional
	Note               string
}

// CompleteReferral carries out the command.
func (h *Handlers) CompleteReferral(ctx context.Context, call Call, cmd CompleteReferral) (Result, error) {
	at := orNow(cmd.OccurredAt, h.now)
	return h.onCase(ctx, call, cmd.CaseID, at, func(c *domain.Case, by domain.Principal) error {
		return c.CompleteReferral(by, h.now(), at, cmd.ReferralID, cmd.Note)
	})
}

// StartTemporaryGuardianship (POST /v1/cases/{id}/temporary-guardianship).
type StartTemporaryGuardianship struct {
	CaseID     string
	OccurredAt time.Time
	Ground     domain.GuardianshipGround
	Placement  domain.Placement
}

// StartTemporaryGuardianship carries out the command.
func (h *Handlers) StartTemporaryGuardianship(ctx context.Context, call Call, cmd StartTemporaryGuardianship) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.StartTemporaryGuardianship(by, h.now(), cmd.OccurredAt, cmd.Ground, cmd.Placement)
	})
}

// EndTemporaryGuardianship (POST /v1/cases/{id}/temporary-guardianship/end).
type EndTemporaryGuardianship struct {
	CaseID     string
	OccurredAt time.Time
	Outcome    domain.GuardianshipOutcome
}

// EndTemporaryGuardianship carries out the command.
func (h *Handlers) EndTemporaryGuardianship(ctx context.Context, call Call, cmd EndTemporaryGuardianship) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.EndTemporaryGuardianship(by, h.now(), cmd.OccurredAt, cmd.Outcome)
	})
}

// RecordIntervention (POST /v1/cases/{id}/guardianship-intervention).
type RecordIntervention struct {
	CaseID     string
	OccurredAt time.Time
	Measure    string
	Note       string
}

// RecordIntervention carries out the command.
func (h *Handlers) RecordIntervention(ctx context.Context, call Call, cmd RecordIntervention) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.RecordIntervention(by, h.now(), cmd.OccurredAt, cmd.Measure, cmd.Note)
	})
}

// RecordFollowUp (POST /v1/cases/{id}/follow-ups).
type RecordFollowUp struct {
	CaseID     string
	OccurredAt time.Time
	Note       string
	Method     string
}

// RecordFollowUp carries out the command.
func (h *Handlers) RecordFollowUp(ctx context.Context, call Call, cmd RecordFollowUp) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.RecordFollowUp(by, h.now(), cmd.OccurredAt, cmd.Note, cmd.Method)
	})
}

// DeclareMajorIncident (POST /v1/cases/{id}/major-incident).
type DeclareMajorIncident struct {
	CaseID      string
	OccurredAt  time.Time
	Description string
}

// DeclareMajorIncident carries out the command.
func (h *Handlers) DeclareMajorIncident(ctx context.Context, call Call, cmd DeclareMajorIncident) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.DeclareMajorIncident(by, h.now(), cmd.OccurredAt, cmd.Description)
	})
}

// CloseCase (POST /v1/cases/{id}/closure).
type CloseCase struct {
	CaseID     string
	OccurredAt time.Time
	Reason     domain.ClosureReason
}

// CloseCase carries out the command.
func (h *Handlers) CloseCase(ctx context.Context, call Call, cmd CloseCase) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.Close(by, h.now(), cmd.OccurredAt, cmd.Reason)
	})
}

// ReopenCase (POST /v1/cases/{id}/reopening).
type ReopenCase struct {
	CaseID string
	Reason string
}

// ReopenCase carries out the command.
func (h *Handlers) ReopenCase(ctx context.Context, call Call, cmd ReopenCase) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, time.Time{}, func(c *domain.Case, by domain.Principal) error {
		return c.Reopen(by, h.now(), cmd.Reason)
	})
}
