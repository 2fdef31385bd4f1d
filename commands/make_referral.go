package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// MakeReferral refers the case to an agency for a service
// (POST /v1/cases/{id}/referrals).
type MakeReferral struct {
	CaseID  string
	Agency  domain.Agency
	Service domain.Service
	Note    string
}

// MakeReferral carries out the command; the answer names the referral.
func (h *Handlers) MakeReferral(ctx context.Context, call Call, cmd MakeReferral) (Result, error) {
	referralID := derivedID(call, "referral")
	res, err := h.onCase(ctx, call, cmd.CaseID, time.Time{}, func(c *domain.Case, by domain.Principal) error {
		return c.MakeReferral(by, h.now(), referralID, cmd.Agency, cmd.Service, cmd.Note)
	})
	res.ReferralID = referralID
	return res, err
}
