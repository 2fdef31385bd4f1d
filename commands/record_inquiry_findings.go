package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// RecordInquiryFindings records an inquiry's findings: who was responsible
// for what, and the rectification items with their owners and due dates
// (POST /v1/inquiries/{id}/findings).
type RecordInquiryFindings struct {
	InquiryID        string
	OccurredAt       time.Time
	Findings         string
	Responsibilities []domain.Responsibility
	// Rectifications are the items; one without an ID is numbered.
	Rectifications []domain.Rectification
}

// RecordInquiryFindings carries out the command. The findings are made for
// the place the inquiry's subject lies in now; every worker held
// responsible and every item's owner must be in the real-name register
// (deactivated workers too: the register keeps them). The result names the
// items' ids, in order.
func (h *Handlers) RecordInquiryFindings(ctx context.Context, call Call, cmd RecordInquiryFindings) (Result, error) {
	var ids []string
	res, err := h.onInquiry(ctx, call, cmd.InquiryID, cmd.OccurredAt, nil, func(q *domain.Inquiry, by domain.Principal, place domain.Jurisdiction) error {
		register := h.registerLookup(ctx)
		err := q.RecordFindings(by, h.now(), cmd.OccurredAt, place, domain.FindingsInput{
			Findings: cmd.Findings, Responsibilities: cmd.Responsibilities, Rectifications: cmd.Rectifications,
		}, register.has)
		if register.err != nil {
			return register.err
		}
		if err != nil {
			return err
		}
		ids = rectificationIDs(q.Facts())
		return nil
	})
	if err != nil {
		return res, err
	}
	if ids == nil {
		// A retry, answered from the log: the items are the stored findings'.
		history, err := h.history(ctx, domain.InquiryStream(cmd.InquiryID))
		if err != nil {
			return Result{}, err
		}
		ids = rectificationIDs(domain.FoldInquiry(history))
	}
	res.RectificationIDs = ids
	return res, nil
}

// rectificationIDs are the ids of an inquiry's rectification items, in the
// findings' order (empty, not nil, when there are none).
func rectificationIDs(f domain.InquiryFacts) []string {
	ids := make([]string, 0, len(f.Rectifications))
	for _, r := range f.Rectifications {
		ids = append(ids, r.ID)
	}
	return ids
}
