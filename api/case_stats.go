package api

import (
	"net/http"
	"strings"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/analytics"
)

// CaseStats is GET /v1/stats/cases's answer (API.md "Stats"): counts and
// response-time percentiles, never a name, number or note.
type CaseStats = analytics.Result

// readCaseStats is GET /v1/stats/cases?group_by=&from=&to=&jurisdiction=:
// the cases received in [from, to) within the caller's jurisdiction (or
// the narrower one given), grouped.
func (s *Server) readCaseStats(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	groupBy := r.URL.Query().Get("group_by")
	if groupBy == "" {
		return &domain.InvalidError{Field: "group_by", Message: "is required: one of " + strings.Join(analytics.Groupings(), ", ")}
	}
	from, err := timeParam(r, "from")
	if err != nil {
		return err
	}
	to, err := timeParam(r, "to")
	if err != nil {
		return err
	}
	j, err := s.jurisdictionParam(r, p)
	if err != nil {
		return err
	}
	stats, err := analytics.Stats(r.Context(), s.db, groupBy, from, to, j)
	if err != nil {
		return err
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, stats)
	return nil
}
