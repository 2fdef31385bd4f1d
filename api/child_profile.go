package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// updateChildProfile is POST /v1/children/{id}/profile: the body is a
// domain.ChildProfileUpdated, whose fields left out stay as they are.
func (s *Server) updateChildProfile(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b domain.ChildProfileUpdated) (Answer, error) {
		res, err := s.handlers.UpdateChildProfile(ctx, call, commands.UpdateChildProfile{ChildID: r.PathValue("id"), Update: b})
		return answerOf(res), err
	})
}
