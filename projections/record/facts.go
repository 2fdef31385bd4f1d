package record

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
)

// Case is what the record says about a case now, folded from its stream
// by the domain's one fold; domain.NotFound("case", id) when no report
// opened it. Whether a reader may see it is the caller's to decide
// (principal.Reaches(facts.Jurisdiction)).
func (r *Reader) Case(ctx context.Context, id string) (domain.CaseFacts, error) {
	history, err := r.history(ctx, domain.CaseStream(id))
	if err != nil {
		return domain.CaseFacts{}, err
	}
	f := domain.FoldCase(history)
	if !f.Opened() {
		return domain.CaseFacts{}, domain.NotFound("case", id)
	}
	return f, nil
}

// Child is what the record says of a child's file now, apart from its
// personal data (see Personal); domain.NotFound("child", id) when no file
// was opened.
func (r *Reader) Child(ctx context.Context, id string) (domain.ChildFacts, error) {
	history, err := r.history(ctx, domain.ChildStream(id))
	if err != nil {
		return domain.ChildFacts{}, err
	}
	f := domain.FoldChild(history)
	if !f.Opened() {
		return domain.ChildFacts{}, domain.NotFound("child", id)
	}
	return f, nil
}

// Worker is a worker's entry of the real-name register now; ok is false
// when no worker is registered under id.
func (r *Reader) Worker(ctx context.Context, id string) (facts domain.WorkerFacts, ok bool, err error) {
	if id == "" {
		return domain.WorkerFacts{}, false, nil
	}
	history, err := r.history(ctx, domain.WorkerStream(id))
	if err != nil {
		return domain.WorkerFacts{}, false, err
	}
	f := domain.LoadWorker(history).Facts()
	if f.ID == "" {
		return domain.WorkerFacts{}, false, nil
	}
	return f, true, nil
}

// Policies is the deadline policy's history now, from the log.
func (r *Reader) Policies(ctx context.Context) (domain.PolicyHistory, error) {
	history, err := r.history(ctx, domain.PolicyStream)
	if err != nil {
		return domain.PolicyHistory{}, fmt.Errorf("read the deadline policy: %w", err)
	}
	return domain.LoadPolicyHistory(history), nil
}
