package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// receiveReportBody is POST /v1/cases: a report about a registered child
// (child_id) or a new one (child).
type receiveReportBody struct {
	ChildID    string           `json:"child_id,omitempty"`
	Child      *newChildBody    `json:"child,omitempty"`
	Source     domain.Source    `json:"source"`
	Reporter   *domain.Reporter `json:"reporter"`
	Concerns   []domain.Concern `json:"concerns"`
	Risk       domain.Risk      `json:"risk"`
	ReceivedAt time.Time        `json:"received_at"`
	Summary    string           `json:"summary"`
}

func (s *Server) receiveReport(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusCreated, func(ctx context.Context, call commands.Call, b receiveReportBody) (Answer, error) {
		if b.ChildID != "" && b.Child != nil {
			return Answer{}, &domain.InvalidError{Field: "child_id", Message: "give child_id or child, not both"}
		}
		err := required(
			has("child_id", b.ChildID != "" || b.Child != nil),
			has("source", !b.Source.IsZero()),
			has("reporter", b.Reporter != nil),
			has("concerns", len(b.Concerns) > 0),
			has("risk", !b.Risk.IsZero()),
			hasTime("received_at", b.ReceivedAt),
			hasText("summary", b.Summary),
		)
		if err != nil {
			return Answer{}, err
		}
		cmd := commands.ReceiveReport{
			ChildID: b.ChildID, Source: b.Source, Reporter: *b.Reporter, Concerns: b.Concerns,
			Risk: b.Risk, ReceivedAt: b.ReceivedAt, Summary: b.Summary,
		}
		if b.Child != nil {
			child, err := b.Child.registration("child.")
			if err != nil {
				return Answer{}, err
			}
			cmd.NewChild = &child
		}
		res, childID, err := s.handlers.ReceiveReport(ctx, call, cmd)
		ans := answerOf(res)
		ans.ChildID = childID
		return ans, err
	})
}
