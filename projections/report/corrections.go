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
// event id for a correction recorded before corrections named positions)
// and each corrected field's original and corrected value
// (timeline.Corrected). The values and the reason are sealed with the
// child's personal data: the report, read by those who may read the
// child's file, shows the values; the reason stays out, as the timeline
// leaves it out; once the child's data is erased neither the values nor
// the names of the fields are left (Erased).
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
				OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Summary: timeline.Summary(e, nil), Changes: []timeline.Change{}}
			if id.Kind() == domain.StreamCase {
				c.CaseID = id.ID()
			}
			if c.Fields == nil {
				c.Fields = []string{}
			}
			found, _ := correctionOf(on, r)
			c.Changes, c.Erased = found.Changes, found.Erased
			if found.CorrectedRecordedAt != nil {
				c.CorrectsPosition = found.CorrectsPosition
				c.CorrectedOccurredAt, c.CorrectedRecordedAt = found.CorrectedOccurredAt, found.CorrectedRecordedAt
				c.DelayHours = *found.DelayHours
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Correction) int { return cmp.Compare(a.Position, b.Position) })
	return out
}

// correctionOf is what the correction r of a stream of the report
// corrected (timeline.Corrected), but for what a move out of the reader's
// jurisdiction hides: a correction of the move says no more than the move.
func correctionOf(on *basis, r domain.Recorded) (timeline.Correction, bool) {
	c, ok := timeline.Corrected(r, on.streams[r.StreamID].Events)
	if ok && on.view != nil && on.view.movedOut[c.CorrectsPosition] {
		c.Changes = []timeline.Change{}
	}
	return c, ok
}
