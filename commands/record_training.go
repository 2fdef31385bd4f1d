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
	res, err := h.execute(ctx, call, domain.WorkerStream(cmd.WorkerID), func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		if len(history) == 0 {
			return nil, domain.NotFound("worker", cmd.WorkerID)
		}
		w := domain.LoadWorker(history)
		if !call.Principal.Reaches(w.Jurisdiction()) {
			return nil, domain.NotFound("worker", cmd.WorkerID)
		}
		by := call.Principal
		if err := h.qualify(ctx, &by, h.now()); err != nil {
			return nil, err
		}
		if err := w.RecordTraining(by, h.now(), cmd.Passed, cmd.CompletedOn); err != nil {
			return nil, err
		}
		return w.Changes(), nil
	})
	res.ID = cmd.WorkerID
	return res, err
}
