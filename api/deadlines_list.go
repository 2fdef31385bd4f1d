package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
)

// Deadline is an obligation as GET /v1/deadlines shows it (API.md
// "Deadline").
type Deadline = deadlines.Row

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
	dueBefore, err := timeParam(r, "due_before")
	if err != nil {
		return err
	}
	rows, err := deadlines.Query(r.Context(), s.db, deadlines.Filter{
		Status: status, Within: j, Owner: q.Get("owner"), DueBefore: dueBefore, Limit: limit + 1, After: cur.After,
	})
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []Deadline{}
	}
	if err := s.nameOwners(r.Context(), rows, s.now()); err != nil {
		return err
	}
	out := List[Deadline]{Items: rows}
	if len(rows) > limit {
		out.Items = rows[:limit]
		out.NextCursor = nextCursor(deadlinesCursor{After: rows[limit-1].Key})
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}
