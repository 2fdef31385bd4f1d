package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// completeRectificationBody is
// POST /v1/inquiries/{id}/rectifications/{rid}/completion.
type completeRectificationBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	Note       string    `json:"note"`
}

func (s *Server) completeRectification(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b completeRectificationBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("note", b.Note)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.CompleteRectification(ctx, call, commands.CompleteRectification{
			InquiryID: r.PathValue("id"), RectificationID: r.PathValue("rid"), OccurredAt: b.OccurredAt, Note: b.Note,
		})
		return answerOf(res), err
	})
}
