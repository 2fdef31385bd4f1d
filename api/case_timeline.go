package api

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
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
	if err := s.withCorrections(r.Context(), items, given, func(timeline.Item) domain.StreamID { return domain.CaseStream(c.ID) }); err != nil {
		return err
	}
	s.recordRead(r, p, accesslog.ActionReadCaseTimeline, c.ChildID, c.ID, c.Jurisdiction.String())
	s.writeAnswer(r.Context(), w, http.StatusOK, Timeline{AsOf: shown, Items: items})
	return nil
}

// withCorrections fills in, for the timeline's entries of corrections,
// what each corrected — the entry's original values, the corrected ones,
// and how long the entry stood uncorrected — and says it in their
// summaries (timeline.Corrected). The values are the child's personal
// data where the fields are: the timeline's read model does not keep
// them, so they are read from the log (the store opens them with the
// child's key), as the child's file is; once the child's data is erased
// they read as erased. stream names the stream an entry belongs to.
func (s *Server) withCorrections(ctx context.Context, items []timeline.Item, asOf time.Time, stream func(timeline.Item) domain.StreamID) error {
	correction := domain.EntryCorrected{}.EventType()
	want := map[domain.StreamID]bool{}
	for _, it := range items {
		if it.Type == correction {
			want[stream(it)] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	streams, err := s.record.AsOf(ctx, asOf, slices.Collect(maps.Keys(want))...)
	if err != nil {
		return fmt.Errorf("read corrections: %w", err)
	}
	for i, it := range items {
		if it.Type != correction {
			continue
		}
		events := streams[stream(it)].Events
		at := slices.IndexFunc(events, func(r domain.Recorded) bool { return r.Position == it.GlobalPosition })
		if at < 0 {
			continue // not in the log as read: the entry keeps the summary it has
		}
		if c, ok := timeline.Corrected(events[at], events); ok {
			items[i].Correction, items[i].Summary = &c, timeline.CorrectionSummary(it.Summary, c)
		}
	}
	return nil
}
