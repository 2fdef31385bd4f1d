package commands

import (
	"context"
	"encoding/json"

	"github.com/careledger/careledger/domain"
)

// CorrectCaseEntry corrects an entry of a case; CorrectChildEntry one of a
// child's file. The wrong entry stays; the correction names it.
type CorrectCaseEntry struct {
	CaseID   string
	Position int64 // the global position of the entry corrected
	Fields   map[string]json.RawMessage
	Reason   string
}

// CorrectCaseEntry carries out the command.
func (h *Handlers) CorrectCaseEntry(ctx context.Context, call Call, cmd CorrectCaseEntry) (Result, error) {
	res, err := h.execute(ctx, call, domain.CaseStream(cmd.CaseID), caseVisible(call.Principal, cmd.CaseID), func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		return h.correct(ctx, call, history, cmd.Position, cmd.Fields, cmd.Reason)
	})
	res.ID = cmd.CaseID
	return res, err
}

// CorrectChildEntry corrects an entry of a child's file.
type CorrectChildEntry struct {
	ChildID  string
	Position int64 // the global position of the entry corrected
	Fields   map[string]json.RawMessage
	Reason   string
}

// CorrectChildEntry carries out the command.
func (h *Handlers) CorrectChildEntry(ctx context.Context, call Call, cmd CorrectChildEntry) (Result, error) {
	res, err := h.execute(ctx, call, domain.ChildStream(cmd.ChildID), childVisible(call.Principal, cmd.ChildID), func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		return h.correct(ctx, call, history, cmd.Position, cmd.Fields, cmd.Reason)
	})
	res.ID = cmd.ChildID
	return res, err
}

func (h *Handlers) correct(ctx context.Context, call Call, history []domain.Recorded, position int64, fields map[string]json.RawMessage, reason string) ([]domain.Change, error) {
	by := call.Principal
	if err := h.qualify(ctx, &by, h.now()); err != nil {
		return nil, err
	}
	ch, err := domain.CorrectEntry(by, h.now(), history, position, fields, reason)
	if err != nil {
		return nil, err
	}
	return []domain.Change{ch}, nil
}
