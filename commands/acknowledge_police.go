package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// AcknowledgePolice records that the police took up a report forwarded to
// them, and what they did (POST /v1/cases/{id}/police-report/acknowledgment;
// 37号 四(三) 迅速处警).
type AcknowledgePolice struct {
	CaseID     string
	OccurredAt time.Time
	Officer    string // optional
	Action     string
}

// AcknowledgePolice carries out the command: for a partner of the police
// whose jurisdiction reaches the case, as for a referral's agency.
func (h *Handlers) AcknowledgePolice(ctx context.Context, call Call, cmd AcknowledgePolice) (Result, error) {
	return h.onCase(ctx, call, cmd.CaseID, cmd.OccurredAt, func(c *domain.Case, by domain.Principal) error {
		return c.AcknowledgePolice(by, h.now(), cmd.OccurredAt, cmd.Officer, cmd.Action)
	})
}
