package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/caseview"
)

// eraseChildBody is POST /v1/children/{id}/erasure.
type eraseChildBody struct {
	Reason string `json:"reason"`
}

func (s *Server) eraseChild(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b eraseChildBody) (Answer, error) {
		if err := required(hasText("reason", b.Reason)); err != nil {
			return Answer{}, err
		}
		cases, err := s.casesOfChild(ctx, r.PathValue("id"))
		if err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.EraseChild(ctx, call, commands.EraseChild{ChildID: r.PathValue("id"), Reason: b.Reason, CaseIDs: cases})
		return answerOf(res), err
	})
}

// casesOfChild are the cases about a child, from the case view once it has
// caught up with the whole log, so that a case opened a moment ago counts
// toward the legal hold.
func (s *Server) casesOfChild(ctx context.Context, childID string) ([]string, error) {
	head, err := s.record.Head(ctx)
	if err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	if err := s.engine.WaitFor(wait, head); err != nil {
		return nil, fmt.Errorf("%w: the case view has not caught up with the log, so the legal hold cannot be checked: %v", ErrNotReady, err)
	}
	return caseview.CasesOfChild(ctx, s.db, childID)
}
