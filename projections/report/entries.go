package report

import (
	"sort"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/timeline"
)

// entries are the timeline of every event the report rests on, in
// business-time order (occurred_at, then log position), and among them the
// entries recorded late by the domain's rule. A child's move out of the
// reader's jurisdiction says only that (MovedOutSummary).
func entries(on *basis) ([]timeline.Item, []LateEntry) {
	var all []domain.Recorded
	for _, id := range on.ids {
		all = append(all, on.streams[id].Events...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].OccurredAt.Equal(all[j].OccurredAt) {
			return all[i].OccurredAt.Before(all[j].OccurredAt)
		}
		return all[i].Position < all[j].Position
	})
	items, late := []timeline.Item{}, []LateEntry{}
	for _, r := range all {
		caseID := ""
		var referral func(id string) (domain.Agency, domain.Service, bool)
		if r.StreamID.Kind() == domain.StreamCase {
			caseID = r.StreamID.ID()
			referral = referralOf(on.cases[caseID])
		}
		item := timeline.Item{Type: r.Event.EventType(), OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt,
			Actor: timeline.ActorOf(r.Actor), GlobalPosition: r.Position, Summary: timeline.Summary(r.Event, referral), CaseID: caseID}
		if on.view != nil && on.view.movedOut[r.Position] {
			item.Summary = MovedOutSummary
		} else if c, ok := correctionOf(on, r); ok {
			item.Correction, item.Summary = &c, timeline.CorrectionSummary(item.Summary, c)
		}
		items = append(items, item)
		if isLate, delay, threshold := domain.LateEntry(r, on.policies); isLate {
			late = append(late, LateEntry{Type: item.Type, OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt,
				DelayHours: hours(delay), ThresholdHours: hours(threshold), Actor: item.Actor, GlobalPosition: r.Position,
				Summary: item.Summary, CaseID: caseID})
		}
	}
	return items, late
}

// referralOf finds a referral of the case by id, for the summary of its
// answers.
func referralOf(f domain.CaseFacts) func(id string) (domain.Agency, domain.Service, bool) {
	return func(id string) (domain.Agency, domain.Service, bool) {
		for _, r := range f.Referrals {
			if r.ID == id {
				return r.Agency, r.Service, true
			}
		}
		return domain.Agency{}, domain.Service{}, false
	}
}

// hours is a duration in hours, to the minute.
func hours(d time.Duration) float64 { return float64(d.Round(time.Minute)) / float64(time.Hour) }
