package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
)

// ChangePolicy puts a new deadline policy in force (PUT /v1/policy).
type ChangePolicy struct {
	Policy domain.DeadlinePolicy
}

// ChangePolicy carries out the command; the result's ID is "policy".
func (h *Handlers) ChangePolicy(ctx context.Context, call Call, cmd ChangePolicy) (Result, error) {
	res, err := h.execute(ctx, call, domain.PolicyStream, nil, func(ctx context.Context, _ []domain.Recorded) ([]domain.Change, error) {
		by := call.Principal
		if err := h.qualify(ctx, &by, h.now()); err != nil {
			return nil, err
		}
		change, err := domain.ChangePolicy(by, h.now(), cmd.Policy)
		if err != nil {
			return nil, err
		}
		return []domain.Change{change}, nil
	})
	res.ID = domain.PolicyStream.String()
	return res, err
}
