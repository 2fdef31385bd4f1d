package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// registerWorkerBody is POST /v1/workers.
type registerWorkerBody struct {
	Name         string              `json:"name"`
	Role         domain.Role         `json:"role"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
	Agency       domain.Agency       `json:"agency,omitempty"`
}

func (s *Server) registerWorker(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusCreated, func(ctx context.Context, call commands.Call, b registerWorkerBody) (Answer, error) {
		if err := required(hasText("name", b.Name), has("role", !b.Role.IsZero()), has("jurisdiction", !b.Jurisdiction.IsZero())); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RegisterWorker(ctx, call, commands.RegisterWorker{
			Name: b.Name, Role: b.Role, Jurisdiction: b.Jurisdiction, Agency: b.Agency,
		})
		s.workers.forget(res.ID)
		return answerOf(res), err
	})
}
