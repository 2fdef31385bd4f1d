package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
)

// history reads and decodes one stream.
func (h *Handlers) history(ctx context.Context, streamID string) ([]domain.Recorded, error) {
	stored, err := h.store.ReadStream(ctx, streamID, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", streamID, err)
	}
	return DecodeEvents(h.registry, stored)
}

// child loads a child's file; ErrNotFound when there is none or it lies
// outside the principal's jurisdiction.
func (h *Handlers) child(ctx context.Context, p domain.Principal, id string) (*domain.Child, error) {
	history, err := h.history(ctx, domain.ChildStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, notFound("child", id)
	}
	c := domain.LoadChild(history)
	if !p.Jurisdiction.Covers(c.Jurisdiction()) {
		return nil, notFound("child", id)
	}
	return c, nil
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

// mayAct checks what the domain cannot see from one aggregate: a child
// director or supervisor must be a registered worker of that role whose
// training is valid at the business time of the act (初任须经培训考核合格,
// 每年至少轮训一次).
func (h *Handlers) mayAct(ctx context.Context, p domain.Principal, at time.Time) error {
	if p.Role != domain.RoleChildDirector && p.Role != domain.RoleChildSupervisor {
		return nil
	}
	w, ok, err := h.worker(ctx, p.Subject)
	if err != nil {
		return err
	}
	if !ok || w.Role() != p.Role {
		return fmt.Errorf("%s %s is not in the worker register: %w", p.Role, p.Subject, domain.ErrForbidden)
	}
	policies, err := h.policies(ctx)
	if err != nil {
		return err
	}
	policy, _ := policies.InForce(at)
	return w.MayAct(at, policy.RetrainingMonths)
}
