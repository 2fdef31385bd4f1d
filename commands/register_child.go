package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/careledger/careledger/domain"
)

// RegisterChild opens a child's file (POST /v1/children). The child's id is
// Child.ChildID when the client chose one, else made here.
type RegisterChild struct {
	Child domain.ChildRegistered
}

// RegisterChild carries out the command; the result's ID is the child's. A
// client-chosen id already registered is a conflict.
func (h *Handlers) RegisterChild(ctx context.Context, call Call, cmd RegisterChild) (Result, error) {
	id := newChildID(call, cmd.Child)
	res, err := h.create(ctx, call, domain.ChildStream(id), func(ctx context.Context) ([]domain.Change, error) {
		return h.decideChildRegistration(ctx, call, id, cmd.Child, false)
	})
	res.ID = id
	if cmd.Child.ChildID != "" && call.IdempotencyKey == "" && errors.Is(err, ErrIdempotencyKeyReused) {
		return res, fmt.Errorf("child %s is already registered: %w", id, ErrConflict)
	}
	return res, err
}

// newChildID is the id of a child being registered: the client's, or one
// derived from the call.
func newChildID(call Call, child domain.ChildRegistered) string {
	if child.ChildID != "" {
		return child.ChildID
	}
	return derivedID(call, "child")
}

// decideChildRegistration decides a child's registration on its own or,
// forReport, as part of the report about the child (the mandatory report,
// never refused for want of training).
func (h *Handlers) decideChildRegistration(ctx context.Context, call Call, id string, in domain.ChildRegistered, forReport bool) ([]domain.Change, error) {
	if err := h.places.Check(ctx, "jurisdiction", in.Jurisdiction); err != nil {
		return nil, err
	}
	if !in.Jurisdiction.IsZero() && !call.Principal.Reaches(in.Jurisdiction) {
		return nil, fmt.Errorf("jurisdiction %s lies outside yours: %w", in.Jurisdiction, domain.ErrForbidden)
	}
	by := call.Principal
	if err := h.qualify(ctx, &by, h.now()); err != nil {
		return nil, err
	}
	in.ChildID = id
	register := domain.RegisterChild
	if forReport {
		register = domain.RegisterChildForReport
	}
	c, err := register(by, h.now(), in)
	if err != nil {
		return nil, err
	}
	return c.Changes(), nil
}
