package domain

import (
	"fmt"
	"strings"
	"time"
)

// Referrals (服务转介, step 7): a caseworker refers the case to an agency
// for a service; the agency — its partner, or a caseworker for it — accepts
// or declines a pending referral and completes an accepted one.

// MakeReferral refers the case to an agency for a service (step 7), from
// now on; the referral waits for the agency's answer.
func (c *Case) MakeReferral(by Principal, now time.Time, referralID string, agency Agency, service Service, note string) error {
	if err := c.precheck(by, ActMakeReferral); err != nil {
		return err
	}
	id, err := caseText("referral_id", referralID, true, caseShortTextLimit)
	if err != nil {
		return err
	}
	if agency.IsZero() {
		return invalid("agency", "is required")
	}
	if service.IsZero() {
		return invalid("service", "is required")
	}
	n, err := caseText("note", note, true, caseTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	if c.facts.referral(id) != nil {
		return ruleBroken(RuleReferralExists, "case %s already has a referral %s", c.facts.ID, id)
	}
	c.record(Change{Event: ReferralMade{ReferralID: id, Agency: agency, Service: service, Note: n}, Actor: by.Actor, OccurredAt: now})
	return nil
}

// AcceptReferral records that the agency takes a pending referral on: by
// the agency's partner or a caseworker.
func (c *Case) AcceptReferral(by Principal, now, at time.Time, referralID, note string) error {
	r, err := c.referralAnswer(by, ActAcceptReferral, referralID)
	if err != nil {
		return err
	}
	n, err := caseText("note", note, false, caseTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkReferralAt(r, at, now); err != nil {
		return err
	}
	if err := c.checkReferralStatus(r, ReferralStatusPending, "accepted"); err != nil {
		return err
	}
	c.record(Change{Event: ReferralAccepted{ReferralID: r.ID, Note: n}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// DeclineReferral records, now, that the agency declines a pending referral
// with a reason: by the agency's partner or a caseworker.
func (c *Case) DeclineReferral(by Principal, now time.Time, referralID, reason string) error {
	r, err := c.referralAnswer(by, ActDeclineReferral, referralID)
	if err != nil {
		return err
	}
	why, err := caseText("reason", reason, true, caseTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkReferralStatus(r, ReferralStatusPending, "declined"); err != nil {
		return err
	}
	c.record(Change{Event: ReferralDeclined{ReferralID: r.ID, Reason: why}, Actor: by.Actor, OccurredAt: now})
	return nil
}

// CompleteReferral records that the agency has delivered the service of an
// accepted referral: by the agency's partner or a caseworker.
func (c *Case) CompleteReferral(by Principal, now, at time.Time, referralID, note string) error {
	r, err := c.referralAnswer(by, ActCompleteReferral, referralID)
	if err != nil {
		return err
	}
	n, err := caseText("note", note, false, caseTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkReferralAt(r, at, now); err != nil {
		return err
	}
	if err := c.checkReferralStatus(r, ReferralStatusAccepted, "completed"); err != nil {
		return err
	}
	c.record(Change{Event: ReferralCompleted{ReferralID: r.ID, Note: n}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// referralAnswer finds the referral an agency answers and checks who
// answers: a caseworker, or a partner of the referral's own agency.
func (c *Case) referralAnswer(by Principal, a Act, referralID string) (Referral, error) {
	if err := c.precheck(by, a); err != nil {
		return Referral{}, err
	}
	r := c.facts.referral(strings.TrimSpace(referralID))
	if r == nil {
		return Referral{}, ruleBroken(RuleUnknownReferral, "case %s has no referral %q", c.facts.ID, referralID)
	}
	if by.Role == RolePartner && by.Agency != r.Agency {
		return Referral{}, forbidden("only a partner of %s or a caseworker may %s %s", r.Agency, a, r.ID)
	}
	return *r, nil
}

// checkReferralAt refuses an answer that happened before the referral was
// made (or is otherwise an impossible time).
func (c *Case) checkReferralAt(r Referral, at, now time.Time) error {
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	if at.Before(r.MadeAt) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before referral %s was made (%s)",
			at.Format(time.RFC3339), r.ID, r.MadeAt.Format(time.RFC3339))}
	}
	return nil
}

// checkReferralStatus refuses an answer on a closed case or on a referral
// that is not in the status want.
func (c *Case) checkReferralStatus(r Referral, want ReferralStatus, becomes string) error {
	if err := c.checkOpen(); err != nil {
		return err
	}
	if r.Status != want {
		return ruleBroken(RuleReferralStatus, "referral %s is %s: only a %s referral can be %s", r.ID, r.Status, want, becomes)
	}
	return nil
}
