package api

import (
	"net/http"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
)

// InboxItem is an obligation in the caller's inbox (API.md GET /v1/inbox):
// a Deadline, due_soon and escalated.
type InboxItem = deadlines.InboxItem

// escalationWindow is how far back an inbox looks for missed obligations
// escalated to it: those that fell due within it.
const escalationWindow = 30 * 24 * time.Hour

// inbox is GET /v1/inbox?jurisdiction=: the caller's work in due order — the open
// obligations it owns by name, by the post it holds (a village's director,
// a township's supervisor) or by its role in its jurisdiction (a center's
// caseworkers, a partner's agency, the inspectors, the training level),
// each flagged due_soon within the policy's due_soon; and, escalated, the
// obligations missed in its jurisdiction in the last 30 days: at once to a
// township's supervisor, to the inspectors once the policy's
// escalate_after has passed. A narrower jurisdiction keeps only the work
// that lies in it.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	var cur deadlines.InboxCursor
	limit, err := pageParams(r, &cur)
	if err != nil {
		return err
	}
	j, err := s.jurisdictionParam(r, p)
	if err != nil {
		return err
	}
	now := s.now()
	policies, err := deadlines.Policies(r.Context(), s.reads(r.Context()))
	if err != nil {
		return err
	}
	policy, _ := policies.InForce(now)
	f := deadlines.InboxFilter{Scope: scopeOf(p, j), Now: now, DueSoon: policy.DueSoon.D, Limit: limit + 1, After: cur}
	if j != p.Jurisdiction {
		f.Only = j
	}
	switch p.Role {
	case domain.RoleChildSupervisor:
		f.EscalatedBefore, f.EscalatedSince = now, now.Add(-escalationWindow)
	case domain.RoleInspector:
		f.EscalatedBefore, f.EscalatedSince = now.Add(-policy.EscalateAfter.D), now.Add(-escalationWindow)
	}
	items, err := deadlines.Inbox(r.Context(), s.reads(r.Context()), f)
	if err != nil {
		return err
	}
	out := List[InboxItem]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		last := items[limit-1]
		out.NextCursor = nextCursor(deadlines.InboxCursor{Due: last.DueAt, Key: last.Key})
	}
	rows := make([]deadlines.Row, len(out.Items))
	for i := range out.Items {
		rows[i] = out.Items[i].Row
	}
	if err := s.nameOwners(r.Context(), rows, now); err != nil {
		return err
	}
	for i := range out.Items {
		out.Items[i].Row = rows[i]
	}
	if out.Items == nil {
		out.Items = []InboxItem{}
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}

// scopeOf is whose obligations are p's own (deadlines.Scope): its own by
// name; a director's or supervisor's post; a partner's agency, and any
// other role's obligations in within.
func scopeOf(p domain.Principal, within domain.Jurisdiction) deadlines.Scope {
	s := deadlines.Scope{Subject: p.Subject, Within: within}
	switch p.Role {
	case domain.RoleChildDirector, domain.RoleChildSupervisor:
		s.Posts = []string{p.Role.String() + ":" + p.Jurisdiction.String()}
	case domain.RolePartner:
		s.RoleOwner = "agency:" + p.Agency.String()
	default:
		s.RolePrefix = p.Role.String() + ":"
	}
	return s
}
