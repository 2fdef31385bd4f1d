package commands

import (
	"context"
	"fmt"
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

// TransferWorker carries out the command.
func (h *Handlers) TransferWorker(ctx context.Context, call Call, cmd TransferWorker) (Result, error) {
	if err := h.places.Check(ctx, "jurisdiction", cmd.Jurisdiction); err != nil {
		return Result{}, err
	}
	return h.onWorker(ctx, call, cmd.WorkerID, func(w *domain.Worker, by domain.Principal) error {
		if !cmd.Jurisdiction.IsZero() && !call.Principal.Reaches(cmd.Jurisdiction) {
			return fmt.Errorf("jurisdiction %s lies outside yours: %w", cmd.Jurisdiction, domain.ErrForbidden)
		}
		return w.Transfer(by, h.now(), cmd.OccurredAt, cmd.Jurisdiction)
	})
}
