package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// recordTrainingBody is POST /v1/workers/{id}/training.
type recordTrainingBody struct {
	Passed      *bool       `json:"passed"`
	CompletedOn domain.Date `json:"completed_on"`
}

func (s *Server) recordTraining(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b recordTrainingBody) (Answer, error) {
		if err := required(has("passed", b.Passed != nil), has("completed_on", !b.CompletedOn.IsZero())); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RecordTraining(ctx, call, commands.RecordTraining{
			WorkerID: r.PathValue("id"), Passed: *b.Passed, CompletedOn: b.CompletedOn,
		})
		return answerOf(res), err
	})
}
