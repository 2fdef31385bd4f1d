package api

import (
	"context"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/register"
)

// nameOwners resolves each obligation's owner to a person (责有人负): a
// post (a village's child director, a township's supervisor) becomes the
// active registered worker holding it at the moment that decided the
// status — when met, the met time; when missed, the due time; when open,
// now — or stays the post, vacant, when nobody held it; every worker owner
// gains its name from the register.
func (s *Server) nameOwners(ctx context.Context, rows []deadlines.Row, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	var posts []string
	for _, r := range rows {
		if _, ok := domain.PostOwner(r.Owner); ok {
			posts = append(posts, r.Owner)
		}
	}
	holdings, names, err := register.PostHoldings(ctx, s.reads(ctx).SQL, posts...)
	if err != nil {
		return err
	}
	var ids []string
	for i := range rows {
		r := &rows[i]
		at := domain.DecidedAt(r.StartedAt, r.DueAt, r.MetAt, r.Status == domain.DeadlineMissed.String(), now)
		r.Owner, r.Vacant = domain.ResolveOwner(r.Owner, at, holdings)
		if _, known := names[r.Owner]; !known && !r.Vacant && !strings.Contains(r.Owner, ":") {
			ids = append(ids, r.Owner) // a worker; not a center or an agency
		}
	}
	more, err := register.Names(ctx, s.reads(ctx).SQL, ids...)
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		if name, ok := names[r.Owner]; ok {
			r.OwnerName = name
		} else {
			r.OwnerName = more[r.Owner]
		}
	}
	return nil
}
