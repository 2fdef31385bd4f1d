package api

import (
	"fmt"
	"net/http"

	"github.com/careledger/careledger/domain"
)

// integrity is GET /v1/integrity: the hash chain of the whole store and its
// seal, verified now up to the head. It goes through the process's one
// verifier, as reports do (eventstore's "Verifying often"): the request
// walks what was appended since the last verification, and the whole log
// only when a full walk is due, so that a token that may ask cannot make
// each request walk the whole log; concurrent requests share a walk. The
// answer says what was walked and when the last full walk ended;
// 'careledger verify' walks everything on request.
func (s *Server) integrity(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	v, err := s.record.Verify(r.Context())
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
