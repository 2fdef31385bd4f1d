package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/analytics"
	"github.com/careledger/careledger/projections/deadlines"
)

// CaseStats is GET /v1/stats/cases's answer (API.md "Stats"): counts and
// response-time percentiles, never a name, number or note.
type CaseStats = analytics.Result

// analystPlaceDigits is the finest place an analyst's statistics name: a
// township (9 digits), never a village.
const analystPlaceDigits = 9

// readCaseStats is GET /v1/stats/cases?group_by=&from=&to=&jurisdiction=:
// the cases received from the day from to the day to (both whole days,
// China Standard Time) within the caller's jurisdiction (or the narrower
// one given), grouped; a group of fewer cases than the policy's min_cell
// is suppressed, and an analyst sees places no finer than a township.
func (s *Server) readCaseStats(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	groupBy := r.URL.Query().Get("group_by")
	if groupBy == "" {
		return &domain.InvalidError{Field: "group_by", Message: "is required: one of " + strings.Join(analytics.Groupings(), ", ")}
	}
	from, err := dayParam(r, "from")
	if err != nil {
		return err
	}
	to, err := dayParam(r, "to")
	if err != nil {
		return err
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // through the end of that day
	}
	j, err := s.jurisdictionParam(r, p)
	if err != nil {
		return err
	}
	limits := analytics.Limits{}
	if p.Role == domain.RoleAnalyst {
		limits.PlaceDigits = analystPlaceDigits
		if len(j.String()) > analystPlaceDigits && j != domain.All {
			return &domain.InvalidError{Field: "jurisdiction", Message: "an analyst's statistics go no finer than a township (9 digits)"}
		}
	}
	policies, err := deadlines.Policies(r.Context(), s.reads(r.Context()))
	if err != nil {
		return err
	}
	policy, _ := policies.InForce(s.now())
	limits.MinCell = policy.MinCell
	stats, err := analytics.Stats(r.Context(), s.reads(r.Context()), groupBy, from, to, j, limits)
	if err != nil {
		return err
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, stats)
	return nil
}

// dayParam reads an optional date (YYYY-MM-DD) as the first moment of that
// day in China Standard Time.
func dayParam(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := domain.ParseDate(v)
	if err != nil {
		return time.Time{}, &domain.InvalidError{Field: name, Message: "must be a date, YYYY-MM-DD (statistics count whole days)"}
	}
	return d.Start(), nil
}
