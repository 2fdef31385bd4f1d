package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections"
)

// CaseView is a case as GET /v1/cases/{id} shows it (API.md "Case").
type CaseView = projections.CaseView

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
	s.recordRead(r, p, projections.ActionReadCase, c.ChildID, c.ID, c.Jurisdiction)
	w.Header().Set("ETag", etag(c.Version))
	writeJSON(w, http.StatusOK, c)
	return nil
}

// caseInReach reads a case from the case view; one the view does not have
// and one outside p's jurisdiction are both not found.
func (s *Server) caseInReach(ctx context.Context, p domain.Principal, id string) (CaseView, error) {
	c, err := projections.FindCase(ctx, s.db, id, s.now())
	if errors.Is(err, projections.ErrNoSuchRow) {
		return CaseView{}, fmt.Errorf("case %s: %w", id, commands.ErrNotFound)
	}
	if err != nil {
		return CaseView{}, err
	}
	if !covers(p, c.Jurisdiction) {
		return CaseView{}, fmt.Errorf("case %s: %w", id, commands.ErrNotFound)
	}
	return c, nil
}

// covers reports whether p's jurisdiction covers a stored division code.
func covers(p domain.Principal, code string) bool {
	j, err := domain.ParseJurisdiction(code)
	return err == nil && p.Jurisdiction.Covers(j)
}
