package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/register"
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
	owner := q.Get("owner")
	owners, err := s.ownersOf(r.Context(), owner)
	if err != nil {
		return err
	}
	rows, err := deadlines.Query(r.Context(), s.reads(r.Context()), deadlines.Filter{
		Status: status, Within: j, Owners: owners, DueBefore: dueBefore, Limit: limit + 1, After: cur.After,
	})
	if err != nil {
		return err
	}
	out := List[Deadline]{Items: rows}
	if len(rows) > limit {
		out.Items = rows[:limit]
		out.NextCursor = nextCursor(deadlinesCursor{After: rows[limit-1].Key})
	}
	if err := s.nameOwners(r.Context(), out.Items, s.now()); err != nil {
		return err
	}
	if owner != "" && len(owners) > 1 {
		// A post's obligations are the worker's only while it held the post.
		out.Items = slices.DeleteFunc(out.Items, func(d Deadline) bool { return d.Owner != owner })
	}
	if out.Items == nil {
		out.Items = []Deadline{}
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}

// ownersOf is what ?owner= selects: the owner itself, and for a worker of
// the register also the posts it held, whose obligations resolve to it
// while it held them (nameOwners).
func (s *Server) ownersOf(ctx context.Context, owner string) ([]string, error) {
	if owner == "" {
		return nil, nil
	}
	if strings.Contains(owner, ":") {
		return []string{owner}, nil
	}
	posts, err := register.PostsOf(ctx, s.reads(ctx).SQL, owner)
	if err != nil {
		return nil, err
	}
	return append([]string{owner}, posts...), nil
}
