package api

import (
	"net/http"
	"strconv"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/childview"
)

// ChildListing is a child as GET /v1/children lists it: enough to find the
// child; the file itself (GET /v1/children/{id}) is read, and recorded in
// the access log, to see the rest.
type ChildListing = childview.Listing

// childrenCursor is where the next page of the children list starts.
type childrenCursor struct {
	After string `json:"a"`
}

// listChildren is GET /v1/children?jurisdiction=&category=&key_child=:
// the children within the caller's jurisdiction (or the narrower one
// given), in id order, paginated; each child returned is recorded in the
// access log (action "list").
func (s *Server) listChildren(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	var cur childrenCursor
	limit, j, err := s.listQuery(r, p, &cur)
	if err != nil {
		return err
	}
	f := childview.Filter{Within: j, Category: r.URL.Query().Get("category"), After: cur.After, Limit: limit + 1}
	if v := r.URL.Query().Get("key_child"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return &domain.InvalidError{Field: "key_child", Message: "must be true or false"}
		}
		f.KeyChild = &b
	}
	children, err := childview.List(r.Context(), s.reads(r.Context()), f)
	if err != nil {
		return err
	}
	out := List[ChildListing]{Items: children}
	if len(children) > limit {
		out.Items = children[:limit]
		out.NextCursor = nextCursor(childrenCursor{After: children[limit-1].ID})
	}
	ids := make([]string, len(out.Items))
	for i, c := range out.Items {
		ids[i] = c.ID
	}
	personal, err := s.record.Personal(r.Context(), ids...)
	if err != nil {
		return err
	}
	for i := range out.Items {
		pd := personal[out.Items[i].ID]
		out.Items[i].Name, out.Items[i].BirthDate = pd.Name, pd.BirthDate
		// Every child a list shows, with its name, is a read of its file.
		s.recordRead(r, p, accesslog.ActionList, out.Items[i].ID, "", out.Items[i].Jurisdiction.String())
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}
