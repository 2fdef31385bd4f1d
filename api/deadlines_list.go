package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections"
)

// Deadline is an obligation as GET /v1/deadlines shows it (API.md
// "Deadline").
type Deadline = projections.DeadlineRow

// deadlinesCursor is where the next page of deadlines starts.
type deadlinesCursor struct {
	After string `json:"a"`
}

// listDeadlines is GET /v1/deadlines?status=&jurisdiction=&owner=&due_before=:
// obligations within the caller's jurisdiction (or the narrower one
// given), statuses judged now, paginated.
func (s *Server) listDeadlines(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	var cur deadlinesCursor
	limit, j, err := s.listQuery(r, p, &cur)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" {
		if _, err := domain.ParseDeadlineStatus(status); err != nil {
			return &domain.InvalidError{Field: "status", Message: "must be open, met, met_late or missed"}
		}
	}
	dueBefore, err := timeParam(r, "due_before")
	if err != nil {
		return err
	}
	rows, err := projections.QueryDeadlines(r.Context(), s.db, s.dialect, projections.DeadlineFilter{
		Status: status, JurisdictionPrefix: j.String(), Owner: q.Get("owner"), DueBefore: dueBefore,
		Now: s.now(), Limit: limit + 1, After: cur.After,
	})
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []Deadline{}
	}
	out := List[Deadline]{Items: rows}
	if len(rows) > limit {
		out.Items = rows[:limit]
		out.NextCursor = nextCursor(deadlinesCursor{After: rows[limit-1].Key})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
