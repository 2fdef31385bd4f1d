package commands

import (
	"context"
	"errors"
	"time"

	"github.com/careledger/careledger/domain"
)

// ReceiveReport opens a case on a report (POST /v1/cases). It names a
// registered child (ChildID) or carries a new child's file (NewChild), which
// is registered first, in its own stream; with an idempotency key a retry
// finds both again.
type ReceiveReport struct {
	ChildID    string
	NewChild   *domain.ChildRegistered
	Source     domain.Source
	Reporter   domain.Reporter
	Concerns   []domain.Concern
	Risk       domain.Risk
	ReceivedAt time.Time
	Summary    string
}

// ReceiveReport carries out the command; the result's ID is the case's.
// When a child was registered too, ChildID of the answer names it. A new
// child is decided on before its id is looked up, as by RegisterChild: a
// place outside the caller's jurisdiction is forbidden whether or not the
// id is in use, and an id in use is ErrChildIDTaken wherever the file that
// has it lies. A registered child (ChildID) outside the caller's
// jurisdiction is not found, as one that does not exist.
func (h *Handlers) ReceiveReport(ctx context.Context, call Call, cmd ReceiveReport) (Result, string, error) {
	childID := cmd.ChildID
	caseID := derivedID(call, "case")
	report := domain.ReportInput{
		CaseID: caseID, Source: cmd.Source, Reporter: cmd.Reporter, Concerns: cmd.Concerns,
		Risk: cmd.Risk, ReceivedAt: cmd.ReceivedAt, Summary: cmd.Summary,
	}
	switch {
	case childID != "" && cmd.NewChild != nil:
		return Result{}, "", &domain.InvalidError{Field: "child_id", Message: "give child_id or child, not both"}
	case childID == "" && cmd.NewChild == nil:
		return Result{}, "", &domain.InvalidError{Field: "child_id", Message: "give child_id or child"}
	case cmd.NewChild != nil:
		if err := h.places.Check(ctx, "child.jurisdiction", cmd.NewChild.Jurisdiction); err != nil {
			return Result{}, "", err
		}
		if err := checkReach(call.Principal, "child.jurisdiction", cmd.NewChild.Jurisdiction); err != nil {
			return Result{}, "", err
		}
		childID = newChildID(call, *cmd.NewChild)
		if err := checkNewChildReport(call.Principal, h.now(), childID, *cmd.NewChild, report); err != nil {
			return Result{}, "", err
		}
		childCall := call
		if call.IdempotencyKey != "" {
			childCall.IdempotencyKey = call.IdempotencyKey + "\x00child"
		}
		stream := domain.ChildStream(childID)
		_, err := h.create(ctx, childCall, stream, childTaken(*cmd.NewChild, stream), func(ctx context.Context) ([]domain.Change, error) {
			return h.decideChildRegistration(ctx, childCall, childID, *cmd.NewChild, true)
		})
		if err != nil {
			return Result{}, "", prefixField("child.", err)
		}
	}
	child, err := h.child(ctx, call.Principal, childID)
	if err != nil {
		return Result{}, "", err
	}
	res, err := h.create(ctx, call, domain.CaseStream(caseID), derivedTaken(domain.CaseStream(caseID)), func(ctx context.Context) ([]domain.Change, error) {
		by := call.Principal
		if err := h.qualify(ctx, &by, cmd.ReceivedAt); err != nil {
			return nil, err
		}
		c, err := domain.ReceiveReport(by, h.now(), child.CaseChild(), report)
		if err != nil {
			return nil, err
		}
		return c.Changes(), nil
	})
	res.ID = caseID
	return res, childID, err
}

// checkNewChildReport decides a new child's registration and the report
// about it without storing either, so that a report that would be refused
// leaves no child's file behind.
func checkNewChildReport(by domain.Principal, now time.Time, childID string, child domain.ChildRegistered, report domain.ReportInput) error {
	child.ChildID = childID
	if _, err := domain.RegisterChildForReport(by, now, child); err != nil {
		return prefixField("child.", err)
	}
	facts := domain.CaseChild{ID: childID, Jurisdiction: child.Jurisdiction, BirthDate: child.BirthDate}
	_, err := domain.ReceiveReport(by, now, facts, report)
	return err
}

// prefixField makes the field of a validation error of a nested object
// name its place ("child.name").
func prefixField(prefix string, err error) error {
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return &domain.InvalidError{Field: prefix + inv.Field, Message: inv.Message}
	}
	var imp *domain.ImpossibleError
	if errors.As(err, &imp) {
		return &domain.ImpossibleError{Field: prefix + imp.Field, Message: imp.Message}
	}
	return err
}
