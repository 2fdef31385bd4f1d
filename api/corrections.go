package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// correctionBody is POST /v1/cases/{id}/corrections and POST
// /v1/children/{id}/corrections: the entry corrected, by its global
// position, its corrected fields, and why. The original entry stays.
type correctionBody struct {
	CorrectsPosition int64                      `json:"corrects_position"`
	Fields           map[string]json.RawMessage `json:"fields"`
	Reason           string                     `json:"reason"`
}

func (b correctionBody) check() error {
	return required(has("corrects_position", b.CorrectsPosition != 0), has("fields", len(b.Fields) > 0), hasText("reason", b.Reason))
}

func (s *Server) correctCaseEntry(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b correctionBody) (Answer, error) {
		if err := b.check(); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.CorrectCaseEntry(ctx, call, commands.CorrectCaseEntry{
			CaseID: r.PathValue("id"), Position: b.CorrectsPosition, Fields: b.Fields, Reason: b.Reason,
		})
		return answerOf(res), err
	})
}

func (s *Server) correctChildEntry(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b correctionBody) (Answer, error) {
		if err := b.check(); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.CorrectChildEntry(ctx, call, commands.CorrectChildEntry{
			ChildID: r.PathValue("id"), Position: b.CorrectsPosition, Fields: b.Fields, Reason: b.Reason,
		})
		return answerOf(res), err
	})
}
