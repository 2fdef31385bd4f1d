package report

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/register"
)

// resolveOwners names the persons behind post owners (责有人负): every
// obligation owned by a village's director or a township's supervisor is
// owned by the worker holding the post at each moment — the owner at the
// moment that decided the status, the owner when the incident happened,
// and every owner over time — by the register as it stood at AsOf; a post
// nobody held stays, marked vacant. The rule is the API's (domain.ResolveOwner).
func (b *builder) resolveOwners(ctx context.Context, report *Report) error {
	var posts []string
	for _, d := range report.Deadlines {
		for _, s := range d.Owners {
			if _, ok := domain.PostOwner(s.Owner); ok {
				posts = append(posts, s.Owner)
			}
		}
	}
	if len(posts) == 0 {
		return nil
	}
	holdings, err := b.holdings(ctx, posts)
	if err != nil {
		return err
	}
	for i := range report.Deadlines {
		d := &report.Deadlines[i]
		spans := make([]domain.OwnerSpan, 0, len(d.Owners))
		for _, s := range d.Owners {
			spans = append(spans, domain.OwnerSpan{Owner: s.Owner, From: s.From})
		}
		at := domain.DecidedAt(d.StartedAt, d.DueAt, d.MetAt, d.Status == domain.DeadlineMissed.String(), b.asOf)
		d.Owner, d.Vacant = domain.ResolveOwner(d.Owner, at, holdings)
		if d.OwnerAtIncident != "" {
			d.OwnerAtIncident, d.VacantAtIncident = domain.ResolveOwner(d.OwnerAtIncident, report.IncidentAt, holdings)
		}
		d.Owners = domain.ResolveSpans(spans, holdings)
	}
	return nil
}

// holdings are the tenures of the posts by the register as it stood at
// AsOf: the workers who ever held them (the register view names them) as
// their streams stood then.
func (b *builder) holdings(ctx context.Context, posts []string) ([]domain.PostHolding, error) {
	now, _, err := register.PostHoldings(ctx, b.db.SQL, posts...)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var ids []domain.StreamID
	for _, h := range now {
		ids = append(ids, domain.WorkerStream(h.WorkerID))
	}
	slices.SortFunc(ids, func(a, b domain.StreamID) int { return strings.Compare(a.String(), b.String()) })
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	streams, err := b.rec.AsOf(ctx, b.asOf, ids...)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var out []domain.PostHolding
	for _, s := range streams {
		out = append(out, domain.LoadWorker(s.Events).Facts().Holdings()...)
	}
	return out, nil
}
