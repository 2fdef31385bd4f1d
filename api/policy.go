package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// changePolicy is PUT /v1/policy: the body is the whole new
// domain.DeadlinePolicy.
func (s *Server) changePolicy(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b domain.DeadlinePolicy) (Answer, error) {
		res, err := s.handlers.ChangePolicy(ctx, call, commands.ChangePolicy{Policy: b})
		return answerOf(res), policyFieldError(err)
	})
}

// policyFieldError names a field of the policy as the body spells it
// ("police_report", not "policy.police_report").
func policyFieldError(err error) error {
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		if name, ok := strings.CutPrefix(inv.Field, "policy."); ok {
			return &domain.InvalidError{Field: name, Message: inv.Message}
		}
	}
	return err
}
