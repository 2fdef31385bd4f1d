package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/deadlines"
)

// CaseView is a case as GET /v1/cases/{id} shows it (API.md "Case"): the
// case view's row and the case's obligations from the deadline view.
type CaseView struct {
	caseview.Case
	Deadlines []deadlines.Row `json:"deadlines"`
}

// readCase is GET /v1/cases/{id}: the case as it stands, with its
// referrals, temporary guardianship and obligations; ETag is its version.
// Reading it is recorded in the access log.
func (s *Server) readCase(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	c, err := s.caseInReach(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	ds, err := deadlines.OfCase(r.Context(), s.reads(r.Context()), c.ID)
	if err != nil {
		return err
	}
	if err := s.nameOwners(r.Context(), ds, s.now()); err != nil {
		return err
	}
	s.recordRead(r, p, accesslog.ActionReadCase, c.ChildID, c.ID, c.Jurisdiction.String())
	w.Header().Set("ETag", etag(c.Version))
	s.writeAnswer(r.Context(), w, http.StatusOK, CaseView{Case: c, Deadlines: ds})
	return nil
}

// caseInReach reads a case from the case view; one the view does not have
// and one outside p's jurisdiction are both not found.
func (s *Server) caseInReach(ctx context.Context, p domain.Principal, id string) (caseview.Case, error) {
	c, err := caseview.Find(ctx, s.reads(ctx), id)
	if err != nil {
		return caseview.Case{}, err
	}
	if !p.Reaches(c.Jurisdiction) {
		return caseview.Case{}, domain.NotFound("case", id)
	}
	return c, nil
}
