package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// followUpBody is POST /v1/cases/{id}/follow-ups.
type followUpBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	Note       string    `json:"note"`
	Method     string    `json:"method,omitempty"`
}

func (s *Server) recordFollowUp(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b followUpBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("note", b.Note)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RecordFollowUp(ctx, call, commands.RecordFollowUp{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Note: b.Note, Method: b.Method,
		})
		return answerOf(res), err
	})
}
