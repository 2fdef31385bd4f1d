package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/record"
)

// EventView is a stored event as GET /v1/cases/{id}/events shows it
// (API.md "Event"): the envelope, its place in the hash chain, and its
// data as stored.
type EventView = record.Event

// caseEventsCursor is where the next page of a case's events starts.
type caseEventsCursor struct {
	AfterVersion int64 `json:"v"`
}

// readCaseEvents is GET /v1/cases/{id}/events: the case's events as the
// store holds them, in stream order, paginated. It reads the log, not the
// read models, so it is always current (min_position is accepted all the
// same). Reading it is recorded in the access log.
func (s *Server) readCaseEvents(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	var cur caseEventsCursor
	limit, err := pageParams(r, &cur)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	c, err := s.record.Case(r.Context(), id)
	if err != nil {
		return err
	}
	if !p.Reaches(c.Jurisdiction) {
		return domain.NotFound("case", id)
	}
	events, err := s.record.CaseEvents(r.Context(), id, cur.AfterVersion, limit+1)
	if err != nil {
		return err
	}
	out := List[EventView]{Items: append([]EventView{}, events[:min(len(events), limit)]...)}
	if len(events) > limit {
		out.NextCursor = nextCursor(caseEventsCursor{AfterVersion: events[limit-1].StreamVersion})
	}
	s.recordRead(r, p, accesslog.ActionReadCaseEvents, c.ChildID, id, c.Jurisdiction.String())
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}
