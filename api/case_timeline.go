package api

import (
	"net/http"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/timeline"
)

// Timeline is what happened to a case or a child, in business-time order,
// as the record stood at AsOf (API.md "Timeline").
type Timeline struct {
	AsOf  time.Time       `json:"as_of"`
	Items []timeline.Item `json:"items"`
}

// asOfParam reads as_of; without one the record as it stands now is read.
func (s *Server) asOfParam(r *http.Request) (given, shown time.Time, err error) {
	given, err = timeParam(r, "as_of")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if given.IsZero() {
		return given, s.now(), nil
	}
	return given, given, nil
}

// readCaseTimeline is GET /v1/cases/{id}/timeline?as_of=T: the case's
// entries recorded at or before T, in business-time order. Reading it is
// recorded in the access log.
func (s *Server) readCaseTimeline(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	given, shown, err := s.asOfParam(r)
	if err != nil {
		return err
	}
	c, err := s.caseInReach(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	items, err := timeline.OfCase(r.Context(), s.reads(r.Context()), c.ID, given)
	if err != nil {
		return err
	}
	s.recordRead(r, p, accesslog.ActionReadCaseTimeline, c.ChildID, c.ID, c.Jurisdiction.String())
	s.writeAnswer(r.Context(), w, http.StatusOK, Timeline{AsOf: shown, Items: items})
	return nil
}
