package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/inquiries"
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
		cases, inquiries, err := s.holdsOn(ctx, r.PathValue("id"))
		if err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.EraseChild(ctx, call, commands.EraseChild{ChildID: r.PathValue("id"), Reason: b.Reason, CaseIDs: cases, InquiryIDs: inquiries})
		return answerOf(res), err
	})
}

// holdsOn are the cases about a child and the open inquiries into it or
// them, from the read models once they have caught up with the whole log,
// so that a case or inquiry opened a moment ago counts toward the legal
// hold.
func (s *Server) holdsOn(ctx context.Context, childID string) (cases, openInquiries []string, err error) {
	head, err := s.record.Head(ctx)
	if err != nil {
		return nil, nil, err
	}
	wait, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	if err := s.engine.WaitFor(wait, head); err != nil {
		return nil, nil, fmt.Errorf("%w: the read models have not caught up with the log, so the legal hold cannot be checked: %v", ErrNotReady, err)
	}
	if cases, err = caseview.CasesOfChild(ctx, s.db, childID); err != nil {
		return nil, nil, err
	}
	openInquiries, err = inquiries.OpenInto(ctx, s.db, childID, cases)
	return cases, openInquiries, err
}
