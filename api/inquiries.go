package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// openInquiryBody is POST /v1/inquiries: into a case (case_id) or a child
// (child_id).
type openInquiryBody struct {
	CaseID     string    `json:"case_id,omitempty"`
	ChildID    string    `json:"child_id,omitempty"`
	IncidentAt time.Time `json:"incident_at"`
	Reason     string    `json:"reason"`
}

func (s *Server) openInquiry(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusCreated, func(ctx context.Context, call commands.Call, b openInquiryBody) (Answer, error) {
		if b.CaseID != "" && b.ChildID != "" {
			return Answer{}, &domain.InvalidError{Field: "case_id", Message: "give case_id or child_id, not both"}
		}
		err := required(has("case_id", b.CaseID != "" || b.ChildID != ""), hasTime("incident_at", b.IncidentAt), hasText("reason", b.Reason))
		if err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.OpenInquiry(ctx, call, commands.OpenInquiry{
			CaseID: b.CaseID, ChildID: b.ChildID, IncidentAt: b.IncidentAt, Reason: b.Reason,
		})
		return answerOf(res), err
	})
}
