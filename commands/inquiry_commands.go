package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// onInquiry runs a command on an existing inquiry. The inquiry must exist
// and what it looks into — the case, or the child's file — must lie within
// the principal's jurisdiction now, else ErrNotFound as if there were no
// inquiry; named, when given, widens that to a principal the inquiry itself
// names (an item's owner). A director or supervisor must be trained at the
// act's business time at (now when zero). act gets the place the subject
// lies in now.
func (h *Handlers) onInquiry(ctx context.Context, call Call, inquiryID string, at time.Time, named func(f domain.InquiryFacts) bool,
	act func(q *domain.Inquiry, by domain.Principal, place domain.Jurisdiction) error) (Result, error) {
	var place domain.Jurisdiction
	admit := func(ctx context.Context, history []domain.Recorded) error {
		q := domain.LoadInquiry(history)
		if !q.Opened() {
			return domain.NotFound("inquiry", inquiryID)
		}
		var err error
		if place, err = h.inquiryPlace(ctx, q); err != nil {
			return err
		}
		if !call.Principal.Reaches(place) && (named == nil || !named(q.Facts())) {
			return domain.NotFound("inquiry", inquiryID)
		}
		return nil
	}
	res, err := h.execute(ctx, call, domain.InquiryStream(inquiryID), admit, func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		q := domain.LoadInquiry(history)
		by := call.Principal
		if err := h.qualify(ctx, &by, orNow(at, h.now)); err != nil {
			return nil, err
		}
		if err := act(q, by, place); err != nil {
			return nil, err
		}
		return q.Changes(), nil
	})
	res.ID = inquiryID
	return res, err
}

// inquiryPlace is where what an inquiry looks into lies now: the case's
// jurisdiction, or the child's; zero (reached by no one) when the log
// holds neither.
func (h *Handlers) inquiryPlace(ctx context.Context, q *domain.Inquiry) (domain.Jurisdiction, error) {
	if q.CaseID() != "" {
		history, err := h.history(ctx, domain.CaseStream(q.CaseID()))
		if err != nil {
			return domain.Jurisdiction{}, err
		}
		return domain.FoldCase(history).Jurisdiction, nil
	}
	history, err := h.history(ctx, domain.ChildStream(q.ChildID()))
	if err != nil {
		return domain.Jurisdiction{}, err
	}
	return domain.FoldChild(history).Jurisdiction, nil
}

// registerLookup answers whether worker ids are in the real-name register,
// reading each worker's stream once. The domain asks it through a plain
// func(string) bool, so a read that fails is kept in err, which the
// command then returns instead of the domain's answer.
type registerLookup struct {
	ctx   context.Context
	h     *Handlers
	known map[string]bool
	err   error
}

func (h *Handlers) registerLookup(ctx context.Context) *registerLookup {
	return &registerLookup{ctx: ctx, h: h, known: map[string]bool{}}
}

// has reports whether a worker is registered under id (deactivated or
// not: the register keeps every worker it ever held).
func (l *registerLookup) has(id string) bool {
	if l.err != nil {
		return false
	}
	if ok, seen := l.known[id]; seen {
		return ok
	}
	_, ok, err := l.h.worker(l.ctx, id)
	if err != nil {
		l.err = err
		return false
	}
	l.known[id] = ok
	return ok
}
