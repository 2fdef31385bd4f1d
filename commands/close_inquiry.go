package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// CloseInquiry closes an inquiry with its conclusion
// (POST /v1/inquiries/{id}/closure).
type CloseInquiry struct {
	InquiryID  string
	OccurredAt time.Time
	Conclusion string
}

// CloseInquiry carries out the command: once the findings are recorded and
// every rectification item is done. A closed inquiry no longer holds the
// child's record against erasure.
func (h *Handlers) CloseInquiry(ctx context.Context, call Call, cmd CloseInquiry) (Result, error) {
	return h.onInquiry(ctx, call, cmd.InquiryID, cmd.OccurredAt, nil, func(q *domain.Inquiry, by domain.Principal, _ domain.Jurisdiction) error {
		return q.Close(by, h.now(), cmd.OccurredAt, cmd.Conclusion)
	})
}
