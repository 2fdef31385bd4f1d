package api

import (
	"fmt"
	"net/http"

	"github.com/careledger/careledger/domain"
)

// integrity is GET /v1/integrity: the hash chain of the whole store,
// verified now, with its seal.
func (s *Server) integrity(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	v, err := s.record.Verify(r.Context())
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
