package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/inquiries"
)

// Inquiry is an inquiry as GET /v1/inquiries lists it.
type Inquiry = inquiries.Inquiry

// inquiriesCursor is where the next page of inquiries starts.
type inquiriesCursor struct {
	After string `json:"a"`
}

// listInquiries is GET /v1/inquiries?status=open|closed: the inquiries
// into cases and children within the caller's jurisdiction (or the
// narrower one given), in id order, paginated.
func (s *Server) listInquiries(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	var cur inquiriesCursor
	limit, j, err := s.listQuery(r, p, &cur)
	if err != nil {
		return err
	}
	items, err := inquiries.List(r.Context(), s.reads(r.Context()), inquiries.Filter{Status: r.URL.Query().Get("status"), Within: j, After: cur.After, Limit: limit + 1})
	if err != nil {
		return err
	}
	out := List[Inquiry]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextCursor = nextCursor(inquiriesCursor{After: items[limit-1].ID})
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}
