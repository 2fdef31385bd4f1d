package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// assignCaseBody is POST /v1/cases/{id}/assignment.
type assignCaseBody struct {
	WorkerID string `json:"worker_id"`
}

func (s *Server) assignCase(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b assignCaseBody) (Answer, error) {
		if err := required(hasText("worker_id", b.WorkerID)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.AssignCase(ctx, call, commands.AssignCase{CaseID: r.PathValue("id"), WorkerID: b.WorkerID})
		return answerOf(res), err
	})
}
