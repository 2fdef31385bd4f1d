package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// CompleteRectification records that a rectification item of an inquiry
// was done (POST /v1/inquiries/{id}/rectifications/{rid}/completion).
type CompleteRectification struct {
	InquiryID       string
	RectificationID string
	OccurredAt      time.Time
	Note            string
}

// CompleteRectification carries out the command: for an inspector whose
// jurisdiction reaches the inquiry's subject, or for the owner of an item
// of the inquiry, wherever the owner serves now — an owner may have been
// moved to another post, or the case to another county, and the item is
// still the owner's to finish. Any other principal finds no inquiry unless
// the subject lies within its jurisdiction (then the domain refuses it,
// 403).
func (h *Handlers) CompleteRectification(ctx context.Context, call Call, cmd CompleteRectification) (Result, error) {
	owner := func(f domain.InquiryFacts) bool {
		if !domain.InRegister(call.Principal.Role) {
			return false // only a worker of the register owns an item
		}
		for _, r := range f.Rectifications {
			if r.Owner == call.Principal.Subject {
				return true
			}
		}
		return false
	}
	return h.onInquiry(ctx, call, cmd.InquiryID, cmd.OccurredAt, owner, func(q *domain.Inquiry, by domain.Principal, _ domain.Jurisdiction) error {
		return q.CompleteRectification(by, h.now(), cmd.OccurredAt, cmd.RectificationID, cmd.Note)
	})
}
