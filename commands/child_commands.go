package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// onChild runs a command on an existing child's file: the file must exist
// and lie within the principal's jurisdiction (else ErrNotFound), and a
// director or supervisor must be trained at the act's business time.
func (h *Handlers) onChild(ctx context.Context, call Call, childID string, at func() time.Time, act func(c *domain.Child, by domain.Principal) error) (Result, error) {
	res, err := h.execute(ctx, call, domain.ChildStream(childID), childVisible(call.Principal, childID), func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		c := domain.LoadChild(history)
		by := call.Principal
		if err := h.qualify(ctx, &by, at()); err != nil {
			return nil, err
		}
		if err := act(c, by); err != nil {
			return nil, err
		}
		return c.Changes(), nil
	})
	res.ID = childID
	return res, err
}

// UpdateChildProfile changes the fields sent (POST /v1/children/{id}/profile).
type UpdateChildProfile struct {
	ChildID string
	Update  domain.ChildProfileUpdated
}

// UpdateChildProfile carries out the command. A child may move only to a
// place within the principal's jurisdiction: that is checked before the
// file is looked up, so that the refusal is the same whatever the id.
func (h *Handlers) UpdateChildProfile(ctx context.Context, call Call, cmd UpdateChildProfile) (Result, error) {
	if j := cmd.Update.Jurisdiction; j != nil {
		if err := h.places.Check(ctx, "jurisdiction", *j); err != nil {
			return Result{}, err
		}
		if err := checkReach(call.Principal, "jurisdiction", *j); err != nil {
			return Result{}, err
		}
	}
	return h.onChild(ctx, call, cmd.ChildID, h.now, func(c *domain.Child, by domain.Principal) error {
		return c.UpdateProfile(by, h.now(), cmd.Update)
	})
}

// RecordVisit records a visit to the child (POST /v1/children/{id}/visits).
type RecordVisit struct {
	ChildID    string
	OccurredAt time.Time
	Findings   string
	Concerns   []domain.Concern
}

// RecordVisit carries out the command.
func (h *Handlers) RecordVisit(ctx context.Context, call Call, cmd RecordVisit) (Result, error) {
	return h.onChild(ctx, call, cmd.ChildID, func() time.Time { return cmd.OccurredAt }, func(c *domain.Child, by domain.Principal) error {
		return c.RecordVisit(by, h.now(), cmd.OccurredAt, cmd.Findings, cmd.Concerns)
	})
}

// ConfirmEntrustment records the signed entrusted-guardianship confirmation
// (POST /v1/children/{id}/entrusted-guardianship).
type ConfirmEntrustment struct {
	ChildID           string
	OccurredAt        time.Time
	EntrustedGuardian domain.Guardian
	ParentsNotified   bool
}

// ConfirmEntrustment carries out the command.
func (h *Handlers) ConfirmEntrustment(ctx context.Context, call Call, cmd ConfirmEntrustment) (Result, error) {
	return h.onChild(ctx, call, cmd.ChildID, func() time.Time { return cmd.OccurredAt }, func(c *domain.Child, by domain.Principal) error {
		return c.ConfirmEntrustment(by, h.now(), cmd.OccurredAt, cmd.EntrustedGuardian, cmd.ParentsNotified)
	})
}

// EraseChild records the lawful erasure of a child's personal data
// (POST /v1/children/{id}/erasure). Destroying the child's key is the data
// protection issue's; this records the event.
type EraseChild struct {
	ChildID string
	Reason  string
	// CaseIDs are the cases about the child (from the case view): each is
	// read from the log, and an open one, or one holding the child in
	// temporary guardianship, puts the record under legal hold.
	CaseIDs []string
	// InquiryIDs are the open inquiries into the child or its cases (from
	// the inquiries view): each one the log holds open (not closed) puts
	// the record under legal hold.
	InquiryIDs []string
}

// EraseChild carries out the command.
func (h *Handlers) EraseChild(ctx context.Context, call Call, cmd EraseChild) (Result, error) {
	return h.onChild(ctx, call, cmd.ChildID, h.now, func(c *domain.Child, by domain.Principal) error {
		cases := make([]domain.CaseFacts, 0, len(cmd.CaseIDs))
		for _, id := range cmd.CaseIDs {
			history, err := h.history(ctx, domain.CaseStream(id))
			if err != nil {
				return err
			}
			cases = append(cases, domain.FoldCase(history))
		}
		var inquiries []string
		for _, id := range cmd.InquiryIDs {
			history, err := h.history(ctx, domain.InquiryStream(id))
			if err != nil {
				return err
			}
			if f := domain.FoldInquiry(history); f.Opened() && !f.Closed() {
				inquiries = append(inquiries, id)
			}
		}
		if err := domain.CheckLegalHold(cmd.ChildID, cases, inquiries); err != nil {
			return err
		}
		return c.Erase(by, h.now(), cmd.Reason)
	})
}
