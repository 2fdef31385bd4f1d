package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
)

// ImportDivisions loads a newer edition of the register of administrative
// divisions (careledger divisions import DIR): the log records what it
// adds or renames against the register in use.
type ImportDivisions struct {
	Register *divisions.Register
}

// ImportDivisions carries out the command; the result's ID is "divisions".
func (h *Handlers) ImportDivisions(ctx context.Context, call Call, cmd ImportDivisions) (Result, error) {
	res, err := h.execute(ctx, call, domain.DivisionsStream, nil, func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		current, err := domain.ApplyDivisions(divisions.Embedded(), history)
		if err != nil {
			return nil, err
		}
		change, err := domain.ImportDivisions(call.Principal, h.now(), current, cmd.Register)
		if err != nil {
			return nil, err
		}
		return []domain.Change{change}, nil
	})
	res.ID = domain.DivisionsStream.String()
	return res, err
}
