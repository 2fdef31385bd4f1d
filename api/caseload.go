package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/caseview"
)

// Caseload is GET /v1/caseload's answer (API.md "Caseload").
type Caseload struct {
	Items []caseview.CaseloadItem `json:"items"`
}

// readCaseload is GET /v1/caseload?jurisdiction=&worker_id=: the open
// cases within the caller's jurisdiction (or the narrower one given) per
// worker, with counts by status and risk.
func (s *Server) readCaseload(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	j, err := s.jurisdictionParam(r, p)
	if err != nil {
		return err
	}
	items, err := caseview.Caseload(r.Context(), s.reads(r.Context()), j, r.URL.Query().Get("worker_id"))
	if err != nil {
		return err
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, Caseload{Items: items})
	return nil
}
