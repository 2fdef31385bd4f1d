package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/projections/readdb"
)

// A server started with a standby (serve --postgres-read) reads the read
// models of a query (a GET) there, and everything else — a command's
// checks, the access log, revocations, webhooks — on the primary. Its
// engine mirrors the standby's checkpoints, so min_position waits for the
// standby to have replayed the write.

type readsKey struct{}

// markQuery notes on a GET or HEAD request's context that its read models
// may come from the standby.
func markQuery(r *http.Request) *http.Request {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), readsKey{}, true))
}

// reads is the read-model database a request reads: the standby's for a
// query when the server has one, the primary's otherwise.
func (s *Server) reads(ctx context.Context) readdb.DB {
	if s.replica != nil {
		if query, _ := ctx.Value(readsKey{}).(bool); query {
			return *s.replica
		}
	}
	return s.db
}
