package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// TransferCase moves an open case to another village or community (POST
// /v1/cases/{id}/transfer), perhaps in another county: the child moved.
type TransferCase struct {
	CaseID       string
	OccurredAt   time.Time
	Jurisdiction domain.Jurisdiction
	Reason       string
}

// TransferCase carries out the command. The new place must be in the
// register of divisions; it need not lie within the caller's jurisdiction.
func (h *Handlers) TransferCase(ctx context.Context, call Call, cmd TransferCase) (Result, error) {
	if err := h.places.Check(ctx, "jurisdiction", cmd.Jurisdiction); err != nil {
		return Result{}, err
	}
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.Transfer(by, h.now(), cmd.OccurredAt, cmd.Jurisdiction, cmd.Reason)
	})
}
