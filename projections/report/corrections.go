package report

import (
	"cmp"
	"maps"
	"slices"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/timeline"
)

// corrections are the corrections among the events the report rests on,
// in log order, each with the entry it corrects (found by position, or by
// event id for a correction recorded before corrections named positions).
// What the timeline leaves out stays out: the corrected values and the
// reason are sealed with the child's personal data, so only the names of
// the corrected fields are given (none once the child's data is erased).
func corrections(on *basis) []Correction {
	out := []Correction{}
	for _, id := range on.ids {
		events := on.streams[id].Events
		for _, r := range events {
			e, ok := r.Event.(domain.EntryCorrected)
			if !ok {
				continue
			}
			c := Correction{Position: r.Position, StreamID: id.String(), CorrectsPosition: e.CorrectsPosition,
				CorrectedType: e.CorrectedType, Fields: slices.Sorted(maps.Keys(e.Fields)), By: timeline.ActorOf(r.Actor),
				OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Summary: timeline.Summary(e, nil)}
			if id.Kind() == domain.StreamCase {
				c.CaseID = id.ID()
			}
			if c.Fields == nil {
				c.Fields = []string{}
			}
			i := slices.IndexFunc(events, func(x domain.Recorded) bool {
				return (e.CorrectsPosition > 0 && x.Position == e.CorrectsPosition) || (e.CorrectsPosition == 0 && x.ID == e.Corrects)
			})
			if i >= 0 {
				corrected := events[i]
				c.CorrectsPosition = corrected.Position
				c.CorrectedOccurredAt, c.CorrectedRecordedAt = ptrTo(corrected.OccurredAt), ptrTo(corrected.RecordedAt)
				c.DelayHours = hours(r.RecordedAt.Sub(corrected.RecordedAt))
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Correction) int { return cmp.Compare(a.Position, b.Position) })
	return out
}
