package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// DeactivateWorker takes a worker off the register's active posts (POST
// /v1/workers/{id}/deactivation): from OccurredAt on the worker holds no
// post, and its tokens stop working.
type DeactivateWorker struct {
	WorkerID   string
	OccurredAt time.Time
	Reason     string
}

// DeactivateWorker carries out the command.
func (h *Handlers) DeactivateWorker(ctx context.Context, call Call, cmd DeactivateWorker) (Result, error) {
	return h.onWorker(ctx, call, cmd.WorkerID, func(w *domain.Worker, by domain.Principal) error {
		return w.Deactivate(by, h.now(), cmd.OccurredAt, cmd.Reason)
	})
}
