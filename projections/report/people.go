package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/careledger/careledger/domain"
)

// workers reads from the register, as it stood at asOf, every worker the
// report names: owners over time, actors of the timeline, the inquiry's
// inspector. An owner that is a role or an agency at a place
// ("caseworker:370902") and a subject the register does not hold (an
// administrator) are not listed.
func (b *builder) workers(ctx context.Context, report *Report) (map[string]Worker, error) {
	seen := map[string]bool{}
	var ids []domain.StreamID
	note := func(id string) {
		if id != "" && !strings.Contains(id, ":") && !seen[id] {
			seen[id] = true
			ids = append(ids, domain.WorkerStream(id))
		}
	}
	for _, d := range report.Deadlines {
		note(d.Owner)
		for _, o := range d.Owners {
			note(o.Owner)
		}
	}
	for _, it := range report.Timeline {
		note(it.Actor.Subject)
	}
	note(report.OpenedBy.Subject)
	out := map[string]Worker{}
	if len(ids) == 0 {
		return out, nil
	}
	streams, err := b.rec.AsOf(ctx, b.asOf, ids...)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for id, s := range streams {
		w := domain.LoadWorker(s.Events).Facts()
		if w.ID == "" {
			continue
		}
		out[id.ID()] = Worker{Name: w.Name, Role: w.Role.String(), Jurisdiction: w.Jurisdiction.String()}
	}
	return out, nil
}
