package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/timeline"
)

// readChildTimeline is GET /v1/children/{id}/timeline?as_of=T: every
// entry of the child's file and of each of the child's cases recorded at
// or before T, in business-time order. Reading it is recorded in the
// access log.
func (s *Server) readChildTimeline(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	given, shown, err := s.asOfParam(r)
	if err != nil {
		return err
	}
	c, err := s.childInReach(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	items, err := timeline.OfChild(r.Context(), s.reads(r.Context()), c.ID, given)
	if err != nil {
		return err
	}
	err = s.withCorrections(r.Context(), items, given, func(it timeline.Item) domain.StreamID {
		if it.CaseID != "" {
			return domain.CaseStream(it.CaseID)
		}
		return domain.ChildStream(c.ID)
	})
	if err != nil {
		return err
	}
	s.recordRead(r, p, accesslog.ActionReadChildTimeline, c.ID, "", c.Jurisdiction.String())
	s.writeAnswer(r.Context(), w, http.StatusOK, Timeline{AsOf: shown, Items: items})
	return nil
}
