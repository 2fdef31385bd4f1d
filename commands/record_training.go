package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
)

// RecordTraining records a worker's training (POST /v1/workers/{id}/training).
type RecordTraining struct {
	WorkerID    string
	Passed      bool
	CompletedOn domain.Date
}

// RecordTraining carries out the command.
func (h *Handlers) RecordTraining(ctx context.Context, call Call, cmd RecordTraining) (Result, error) {
	return h.onWorker(ctx, call, cmd.WorkerID, func(w *domain.Worker, by domain.Principal) error {
		return w.RecordTraining(by, h.now(), cmd.Passed, cmd.CompletedOn)
	})
}

// onWorker loads the worker (not found, also when it lies outside the
// principal's reach), decides with act by the qualified principal and
// appends what it decided.
func (h *Handlers) onWorker(ctx context.Context, call Call, id string, act func(w *domain.Worker, by domain.Principal) error) (Result, error) {
	admit := func(_ context.Context, history []domain.Recorded) error {
		if len(history) == 0 || !call.Principal.Reaches(domain.LoadWorker(history).Jurisdiction()) {
			return domain.NotFound("worker", id)
		}
		return nil
	}
	res, err := h.execute(ctx, call, domain.WorkerStream(id), admit, func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		w := domain.LoadWorker(history)
		by := call.Principal
		if err := h.qualify(ctx, &by, h.now()); err != nil {
			return nil, err
		}
		if err := act(w, by); err != nil {
			return nil, err
		}
		return w.Changes(), nil
	})
	res.ID = id
	return res, err
}
