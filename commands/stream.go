package commands

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

func caseStream(id string) eventstore.StreamRef {
	return eventstore.StreamRef{ID: domain.CaseStream(id), Type: domain.StreamCase}
}
func childStream(id string) eventstore.StreamRef {
	return eventstore.StreamRef{ID: domain.ChildStream(id), Type: domain.StreamChild}
}
func workerStream(id string) eventstore.StreamRef {
	return eventstore.StreamRef{ID: domain.WorkerStream(id), Type: domain.StreamWorker}
}
func inquiryStream(id string) eventstore.StreamRef {
	return eventstore.StreamRef{ID: domain.InquiryStream(id), Type: domain.StreamInquiry}
}

var policyStream = eventstore.StreamRef{ID: domain.PolicyStream, Type: domain.StreamPolicy}

// create runs a command that starts a new stream: history must be empty
// (a stream already there means the derived id was used by another
// request, which replay has already told apart from a retry).
func (h *Handlers) create(ctx context.Context, call Call, stream eventstore.StreamRef, decide func(ctx context.Context) ([]domain.Change, error)) (Result, error) {
	return h.execute(ctx, call, stream, func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		if len(history) > 0 {
			return nil, fmt.Errorf("%s already exists: %w", stream.ID, ErrIdempotencyKeyReused)
		}
		return decide(ctx)
	})
}
