package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
)

// AssignCase makes a caseworker responsible (POST /v1/cases/{id}/assignment).
type AssignCase struct {
	CaseID   string
	WorkerID string
}

// AssignCase carries out the command. The worker must be a registered
// caseworker whose jurisdiction covers the case.
func (h *Handlers) AssignCase(ctx context.Context, call Call, cmd AssignCase) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, time.Time{}, func(c *domain.Case, by domain.Principal) error {
		w, ok, err := h.worker(ctx, cmd.WorkerID)
		if err != nil {
			return err
		}
		if !ok || w.Role() != domain.RoleCaseworker || !w.Jurisdiction().Covers(c.Jurisdiction()) {
			return &domain.InvalidError{Field: "worker_id", Message: fmt.Sprintf("%q is not a registered caseworker for this case's jurisdiction", cmd.WorkerID)}
		}
		return c.Assign(by, h.now(), cmd.WorkerID)
	})
}
