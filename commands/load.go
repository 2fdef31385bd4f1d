package commands

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/careledger/careledger/domain"
)

// history reads and decodes one stream (through the cache, see load).
func (h *Handlers) history(ctx context.Context, streamID domain.StreamID) ([]domain.Recorded, error) {
	s, err := h.load(ctx, streamID)
	if err != nil {
		return nil, err
	}
	return slices.Clip(s.history), nil
}

// child loads a child's file; ErrNotFound when there is none or it lies
// outside the principal's jurisdiction.
func (h *Handlers) child(ctx context.Context, p domain.Principal, id string) (*domain.Child, error) {
	history, err := h.history(ctx, domain.ChildStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, domain.NotFound("child", id)
	}
	c := domain.LoadChild(history)
	if !p.Reaches(c.Jurisdiction()) {
		return nil, domain.NotFound("child", id)
	}
	return c, nil
}

// caseVisible admits a command on an existing case: the case must exist
// and lie within the principal's jurisdiction, else ErrNotFound, the same
// for both.
func caseVisible(p domain.Principal, caseID string) admission {
	return func(_ context.Context, history []domain.Recorded) error {
		if f := domain.FoldCase(history); !f.Opened() || !p.Reaches(f.Jurisdiction) {
			return domain.NotFound("case", caseID)
		}
		return nil
	}
}

// childVisible admits a command on an existing child's file: the file must
// exist and lie within the principal's jurisdiction, else ErrNotFound, the
// same for both.
func childVisible(p domain.Principal, childID string) admission {
	return func(_ context.Context, history []domain.Recorded) error {
		if f := domain.FoldChild(history); !f.Opened() || !p.Reaches(f.Jurisdiction) {
			return domain.NotFound("child", childID)
		}
		return nil
	}
}

// checkReach refuses a place outside the caller's jurisdiction (the field
// names it). It runs before any id of the request is looked up, so that
// the refusal is the same whether or not the id is in use.
func checkReach(p domain.Principal, field string, place domain.Jurisdiction) error {
	if !place.IsZero() && !p.Reaches(place) {
		return fmt.Errorf("%s %s lies outside yours: %w", field, place, domain.ErrForbidden)
	}
	return nil
}

// worker loads a worker; ok is false when none is registered under id.
func (h *Handlers) worker(ctx context.Context, id string) (*domain.Worker, bool, error) {
	if id == "" {
		return nil, false, nil
	}
	history, err := h.history(ctx, domain.WorkerStream(id))
	if err != nil {
		return nil, false, err
	}
	if len(history) == 0 {
		return nil, false, nil
	}
	return domain.LoadWorker(history), true, nil
}

// policies loads the deadline policy history.
func (h *Handlers) policies(ctx context.Context) (domain.PolicyHistory, error) {
	history, err := h.history(ctx, domain.PolicyStream)
	if err != nil {
		return domain.PolicyHistory{}, err
	}
	return domain.LoadPolicyHistory(history), nil
}

// qualify looks up what the domain cannot see from one aggregate and puts
// it on the principal: a child director or supervisor acts only as a worker
// of the real-name register in that role (else forbidden), and every act
// carries the actor's qualification as it stood at the act's business time
// (培训合格, 轮训逾期, 未经培训) — the domain refuses an untrained one all but
// the mandatory report (domain.Act.Check). Roles without a training duty
// are qualified.
func (h *Handlers) qualify(ctx context.Context, p *domain.Principal, at time.Time) error {
	if !domain.NeedsRegister(p.Role) {
		p.Qualification = domain.Qualified
		return nil
	}
	w, _, err := h.worker(ctx, p.Subject)
	if err != nil {
		return err
	}
	var facts domain.WorkerFacts
	if w != nil {
		facts = w.Facts()
	}
	if err := domain.CheckRegistered(*p, facts); err != nil {
		return err
	}
	policies, err := h.policies(ctx)
	if err != nil {
		return err
	}
	policy, _ := policies.InForce(at)
	p.Qualification = facts.QualificationAt(at, policy.RetrainingMonths)
	return nil
}
