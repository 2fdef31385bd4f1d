package report

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/inquiries"
)

// links reads, as the record stood at asOf, what discharges clocks of the
// basis from other streams, as the deadline view does: for a child whose
// visits found a mandatory-report concern, all of its cases (a report on a
// case names only one); for cases with a major incident, the inquiries
// into them or their child.
func (b *builder) links(ctx context.Context, on *basis) error {
	childID := on.child.ID
	if childID == "" {
		return nil
	}
	if len(on.child.ConcernVisits) > 0 {
		ids, err := caseview.CasesOfChild(ctx, b.db, childID)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		streams := make([]domain.StreamID, 0, len(ids))
		for _, id := range ids {
			if f, ok := on.cases[id]; ok {
				on.childCases = append(on.childCases, f)
				continue
			}
			streams = append(streams, domain.CaseStream(id))
		}
		read, err := b.rec.AsOf(ctx, b.asOf, streams...)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		for _, id := range streams {
			if s, ok := read[id]; ok {
				on.childCases = append(on.childCases, domain.FoldCase(s.Events))
			}
		}
	}
	var incidents []string
	for id, f := range on.cases {
		if len(f.MajorIncidents) > 0 {
			incidents = append(incidents, id)
		}
	}
	if len(incidents) == 0 {
		return nil
	}
	ids, err := inquiries.Into(ctx, b.db, childID, incidents)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	streams := make([]domain.StreamID, len(ids))
	for i, id := range ids {
		streams[i] = domain.InquiryStream(id)
	}
	read, err := b.rec.AsOf(ctx, b.asOf, streams...)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, id := range streams {
		if s, ok := read[id]; ok {
			on.inquiries = append(on.inquiries, domain.FoldInquiry(s.Events))
		}
	}
	return nil
}
