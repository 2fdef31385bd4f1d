package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// recordFindingsBody is POST /v1/inquiries/{id}/findings. Both lists are
// required, and may be empty.
type recordFindingsBody struct {
	OccurredAt       time.Time            `json:"occurred_at"`
	Findings         string               `json:"findings"`
	Responsibilities []responsibilityBody `json:"responsibilities"`
	Rectifications   []rectificationBody  `json:"rectifications"`
}

// responsibilityBody is a worker the findings hold responsible, and for
// what.
type responsibilityBody struct {
	WorkerID string `json:"worker_id"`
	Finding  string `json:"finding"`
}

// rectificationBody is a rectification item; without an id the server
// numbers it (r1, r2… by its place in the list). due_on is a full-date,
// read here so that a bad one is named by its place in the list.
type rectificationBody struct {
	ID          string `json:"id,omitempty"`
	Description string `json:"description"`
	Owner       string `json:"owner"`
	DueOn       string `json:"due_on"`
}

func (s *Server) recordFindings(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusCreated, func(ctx context.Context, call commands.Call, b recordFindingsBody) (Answer, error) {
		err := required(hasTime("occurred_at", b.OccurredAt), hasText("findings", b.Findings),
			has("responsibilities", b.Responsibilities != nil), has("rectifications", b.Rectifications != nil))
		if err != nil {
			return Answer{}, err
		}
		cmd := commands.RecordInquiryFindings{InquiryID: r.PathValue("id"), OccurredAt: b.OccurredAt, Findings: b.Findings,
			Responsibilities: make([]domain.Responsibility, len(b.Responsibilities)), Rectifications: make([]domain.Rectification, len(b.Rectifications))}
		for i, x := range b.Responsibilities {
			cmd.Responsibilities[i] = domain.Responsibility{WorkerID: x.WorkerID, Finding: x.Finding}
		}
		for i, x := range b.Rectifications {
			var due domain.Date
			if x.DueOn != "" {
				if due, err = domain.ParseDate(x.DueOn); err != nil {
					return Answer{}, &domain.InvalidError{Field: fmt.Sprintf("rectifications[%d].due_on", i), Message: fmt.Sprintf("%q is not a date YYYY-MM-DD", x.DueOn)}
				}
			}
			cmd.Rectifications[i] = domain.Rectification{ID: x.ID, Description: x.Description, Owner: x.Owner, DueOn: due}
		}
		res, err := s.handlers.RecordInquiryFindings(ctx, call, cmd)
		ans := answerOf(res)
		ans.RectificationIDs = res.RectificationIDs
		return ans, err
	})
}
