package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/childview"
)

// ChildView is a child's file as GET /v1/children/{id} shows it (API.md
// "Child"): the child view's row, with the personal data read from the
// child's own events.
type ChildView = childview.Child

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
	personal, err := s.record.Personal(r.Context(), c.ID)
	if err != nil {
		return err
	}
	pd := personal[c.ID]
	c.Name, c.IDNumber, c.BirthDate, c.Guardian, c.EntrustedGuardian = pd.Name, pd.IDNumber, pd.BirthDate, pd.Guardian, pd.EntrustedGuardian
	c.LivingSituation, c.Schooling = pd.LivingSituation, pd.Schooling
	s.recordRead(r, p, accesslog.ActionReadChildFile, c.ID, "", c.Jurisdiction.String())
	w.Header().Set("ETag", etag(c.Version))
	s.writeAnswer(r.Context(), w, http.StatusOK, c)
	return nil
}

// childInReach reads a child's file; one the view does not have and one
// outside p's jurisdiction are both not found.
func (s *Server) childInReach(r *http.Request, p domain.Principal, id string) (ChildView, error) {
	c, err := childview.Find(r.Context(), s.reads(r.Context()), id)
	if err != nil {
		return ChildView{}, err
	}
	if !p.Reaches(c.Jurisdiction) {
		return ChildView{}, domain.NotFound("child", id)
	}
	return c, nil
}
