package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// closeInquiryBody is POST /v1/inquiries/{id}/closure.
type closeInquiryBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	Conclusion string    `json:"conclusion"`
}

func (s *Server) closeInquiry(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b closeInquiryBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("conclusion", b.Conclusion)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.CloseInquiry(ctx, call, commands.CloseInquiry{
			InquiryID: r.PathValue("id"), OccurredAt: b.OccurredAt, Conclusion: b.Conclusion,
		})
		return answerOf(res), err
	})
}
