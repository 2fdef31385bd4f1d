package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections"
)

// ChildView is a child's file as GET /v1/children/{id} shows it (API.md
// "Child").
type ChildView = projections.ChildView

// readChildFile is GET /v1/children/{id}: the child's file (一人一档案);
// ETag is its version. Reading it is recorded in the access log.
func (s *Server) readChildFile(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	c, err := s.childInReach(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.withPersonalData(r.Context(), &c); err != nil {
		return err
	}
	s.recordRead(r, p, projections.ActionReadChildFile, c.ID, "", c.Jurisdiction)
	w.Header().Set("ETag", etag(c.Version))
	writeJSON(w, http.StatusOK, c)
	return nil
}

// childInReach reads a child's file; one the view does not have and one
// outside p's jurisdiction are both not found.
func (s *Server) childInReach(r *http.Request, p domain.Principal, id string) (ChildView, error) {
	c, err := projections.FindChild(r.Context(), s.db, id)
	if errors.Is(err, projections.ErrNoSuchRow) {
		return ChildView{}, fmt.Errorf("child %s: %w", id, commands.ErrNotFound)
	}
	if err != nil {
		return ChildView{}, err
	}
	if !covers(p, c.Jurisdiction) {
		return ChildView{}, fmt.Errorf("child %s: %w", id, commands.ErrNotFound)
	}
	return c, nil
}
