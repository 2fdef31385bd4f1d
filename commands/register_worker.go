package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
)

// RegisterWorker enters a child director, supervisor, caseworker or partner
// liaison in the real-name register (POST /v1/workers).
type RegisterWorker struct {
	Name         string
	Role         domain.Role
	Jurisdiction domain.Jurisdiction
	Agency       domain.Agency
}

// RegisterWorker carries out the command; the result's ID is the worker's.
func (h *Handlers) RegisterWorker(ctx context.Context, call Call, cmd RegisterWorker) (Result, error) {
	id := derivedID(call, "worker")
	res, err := h.create(ctx, call, domain.WorkerStream(id), derivedTaken(domain.WorkerStream(id)), func(ctx context.Context) ([]domain.Change, error) {
		if err := h.places.Check(ctx, "jurisdiction", cmd.Jurisdiction); err != nil {
			return nil, err
		}
		if err := checkReach(call.Principal, "jurisdiction", cmd.Jurisdiction); err != nil {
			return nil, err
		}
		by := call.Principal
		if err := h.qualify(ctx, &by, h.now()); err != nil {
			return nil, err
		}
		w, err := domain.RegisterWorker(by, h.now(), domain.WorkerRegistered{
			WorkerID: id, Name: cmd.Name, Role: cmd.Role, Jurisdiction: cmd.Jurisdiction, Agency: cmd.Agency,
		})
		if err != nil {
			return nil, err
		}
		return w.Changes(), nil
	})
	res.ID = id
	return res, err
}
