package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// confirmEntrustmentBody is POST /v1/children/{id}/entrusted-guardianship.
type confirmEntrustmentBody struct {
	OccurredAt        time.Time        `json:"occurred_at"`
	EntrustedGuardian *domain.Guardian `json:"entrusted_guardian"`
	ParentsNotified   *bool            `json:"parents_notified"`
}

func (s *Server) confirmEntrustment(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b confirmEntrustmentBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("entrusted_guardian", b.EntrustedGuardian != nil),
			has("parents_notified", b.ParentsNotified != nil)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.ConfirmEntrustment(ctx, call, commands.ConfirmEntrustment{
			ChildID: r.PathValue("id"), OccurredAt: b.OccurredAt, EntrustedGuardian: *b.EntrustedGuardian, ParentsNotified: *b.ParentsNotified,
		})
		return answerOf(res), err
	})
}
