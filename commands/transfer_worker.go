package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// TransferWorker moves a worker to another post (POST
// /v1/workers/{id}/transfer) from OccurredAt on. The admin must reach both
// the old post and the new one.
type TransferWorker struct {
	WorkerID     string
	OccurredAt   time.Time
	Jurisdiction domain.Jurisdiction
}

// TransferWorker carries out the command. The new post is checked before
// the worker is looked up, so that a post outside the admin's reach is
// refused alike whatever the id.
func (h *Handlers) TransferWorker(ctx context.Context, call Call, cmd TransferWorker) (Result, error) {
	if err := h.places.Check(ctx, "jurisdiction", cmd.Jurisdiction); err != nil {
		return Result{}, err
	}
	if err := checkReach(call.Principal, "jurisdiction", cmd.Jurisdiction); err != nil {
		return Result{}, err
	}
	return h.onWorker(ctx, call, cmd.WorkerID, func(w *domain.Worker, by domain.Principal) error {
		return w.Transfer(by, h.now(), cmd.OccurredAt, cmd.Jurisdiction)
	})
}
