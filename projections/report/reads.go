package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/careledger/careledger/projections/accesslog"
)

// readsPage is how many access-log entries one query of reads takes.
const readsPage = 500

// readsFrom is where the report's period of reads begins: the child's
// registration, or, without a file, the first entry of the record.
func readsFrom(on *basis) time.Time {
	if on.child.Opened() {
		return on.child.RegisteredAt
	}
	var first time.Time
	for _, id := range on.ids {
		for _, r := range on.streams[id].Events {
			if first.IsZero() || r.OccurredAt.Before(first) {
				first = r.OccurredAt
			}
		}
	}
	return first
}

// reads are who read the child's file and the report's cases from the
// access log, from from to asOf, oldest first: reads of the child's file
// (and of the child as a whole) and of the cases the report covers — not
// of the child's other cases. The access log (the database the report was
// given as reads; accesslog.Migrate must have run) is written through a
// buffer, so a read served the last moments before may not be there yet
// unless it was flushed. With view, the child lying outside the reader's
// jurisdiction, a read of the child's file counts only while the child lay
// within it.
func (b *builder) reads(ctx context.Context, subject Subject, from time.Time, view *childView) ([]Read, error) {
	cases := map[string]bool{}
	for _, c := range subject.CaseIDs {
		cases[c] = true
	}
	out := []Read{}
	if subject.Child == "" {
		return out, nil // no child: no file to have read (and no filter to ask with)
	}
	after := ""
	for {
		page, err := accesslog.Query(ctx, b.accessLog, accesslog.Filter{ChildID: subject.Child, From: from, Until: b.asOf,
			After: after, Limit: readsPage})
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		for _, e := range page {
			if (e.CaseID == "" && (view == nil || view.sawAt(e.At))) || cases[e.CaseID] {
				out = append(out, Read{Subject: e.Subject, Role: e.Role, At: e.At, Action: e.Action, CaseID: e.CaseID})
			}
		}
		if len(page) < readsPage {
			break
		}
		after = page[len(page)-1].ID
	}
	slices.SortStableFunc(out, func(a, b Read) int { return a.At.Compare(b.At) })
	return out, nil
}
