package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
)

// RegisterChild opens a child's file (POST /v1/children). The child's id is
// Child.ChildID when the client chose one, else made here.
type RegisterChild struct {
	Child domain.ChildRegistered
}

// RegisterChild carries out the command; the result's ID is the child's.
// Everything the body says is decided first — the place is in the register
// and within the caller's jurisdiction (else forbidden), the caller may
// register, the file is sound — and only then is a client-chosen id looked
// up: one already in use is ErrChildIDTaken, whether the file that has it
// lies in the caller's jurisdiction or elsewhere.
func (h *Handlers) RegisterChild(ctx context.Context, call Call, cmd RegisterChild) (Result, error) {
	id := newChildID(call, cmd.Child)
	stream := domain.ChildStream(id)
	res, err := h.create(ctx, call, stream, childTaken(cmd.Child, stream), func(ctx context.Context) ([]domain.Change, error) {
		return h.decideChildRegistration(ctx, call, id, cmd.Child, false)
	})
	res.ID = id
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

// childTaken is what registering a child answers when its stream is already
// there: for an id the client chose, ErrChildIDTaken (the same wherever the
// file lies); for one the server derived, a reused idempotency key.
func childTaken(child domain.ChildRegistered, stream domain.StreamID) error {
	if child.ChildID != "" {
		return ErrChildIDTaken
	}
	return derivedTaken(stream)
}

// decideChildRegistration decides a child's registration on its own or,
// forReport, as part of the report about the child (the mandatory report,
// never refused for want of training). It reads no stream of the child.
func (h *Handlers) decideChildRegistration(ctx context.Context, call Call, id string, in domain.ChildRegistered, forReport bool) ([]domain.Change, error) {
	if err := h.places.Check(ctx, "jurisdiction", in.Jurisdiction); err != nil {
		return nil, err
	}
	if err := checkReach(call.Principal, "jurisdiction", in.Jurisdiction); err != nil {
		return nil, err
	}
	by := call.Principal
	if err := h.qualify(ctx, &by, h.now()); err != nil {
		return nil, err
	}
	in.ChildID = id
	register := domain.RegisterChildForReport
	if !forReport {
		register = domain.RegisterChild
	}
	c, err := register(by, h.now(), in)
	if err != nil {
		return nil, err
	}
	return c.Changes(), nil
}
