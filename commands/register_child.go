package commands

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
)

// RegisterChild opens a child's file (POST /v1/children). Child.ChildID is
// ignored: the id is made here.
type RegisterChild struct {
	Child domain.ChildRegistered
}

// RegisterChild carries out the command; the result's ID is the child's.
func (h *Handlers) RegisterChild(ctx context.Context, call Call, cmd RegisterChild) (Result, error) {
	id := derivedID(call, "child")
	res, err := h.create(ctx, call, childStream(id), func(ctx context.Context) ([]domain.Change, error) {
		return h.decideChildRegistration(ctx, call, id, cmd.Child)
	})
	res.ID = id
	return res, err
}

func (h *Handlers) decideChildRegistration(ctx context.Context, call Call, id string, in domain.ChildRegistered) ([]domain.Change, error) {
	if !in.Jurisdiction.IsZero() && !call.Principal.Jurisdiction.Covers(in.Jurisdiction) {
		return nil, fmt.Errorf("jurisdiction %s lies outside yours: %w", in.Jurisdiction, domain.ErrForbidden)
	}
	if err := h.mayAct(ctx, call.Principal, h.now()); err != nil {
		return nil, err
	}
	in.ChildID = id
	c, err := domain.RegisterChild(call.Principal, h.now(), in)
	if err != nil {
		return nil, err
	}
	return c.Changes(), nil
}
