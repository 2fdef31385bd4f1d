package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
)

// openAccessLog creates the access log's table if need be and starts its
// writer; Close flushes it.
func (s *Server) openAccessLog() error {
	if err := accesslog.Migrate(context.Background(), s.state); err != nil {
		return fmt.Errorf("api: %w", err)
	}
	s.accessLog = accesslog.New(s.state, accesslog.Options{Logger: s.log, Now: s.now})
	return nil
}

// Close writes what the access log still buffers; reads served after it
// are logged as they happen. Call it after the HTTP server has shut down.
func (s *Server) Close(ctx context.Context) error { return s.accessLog.Close(ctx) }

// recordRead notes in the access log that p read something about a child.
// (Only the benchmark of its cost runs a server without an access log.)
func (s *Server) recordRead(r *http.Request, p domain.Principal, action, childID, caseID, jurisdiction string) {
	if s.accessLog == nil {
		return
	}
	s.accessLog.Record(accesslog.Entry{
		Subject: p.Subject, Role: p.Role.String(), ActorJurisdiction: p.Jurisdiction.String(),
		ChildID: childID, CaseID: caseID, Jurisdiction: jurisdiction, Action: action, RequestID: requestID(r.Context()),
	})
}

// AccessLogEntry is one read as GET /v1/access-log shows it (API.md
// "Access log").
type AccessLogEntry = accesslog.Entry

// accessLogCursor is where the next page of the access log starts.
type accessLogCursor struct {
	After string `json:"a"`
}

// readAccessLog is GET /v1/access-log?child_id=&jurisdiction=: who read
// which child's file, case or timeline, and when, oldest first, for what
// lies within the inspector's jurisdiction. It writes what the log still
// buffers first, so it shows every read served before it.
func (s *Server) readAccessLog(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	var cur accessLogCursor
	limit, j, err := s.listQuery(r, p, &cur)
	if err != nil {
		return err
	}
	if err := s.accessLog.Flush(r.Context()); err != nil {
		return fmt.Errorf("flush access log: %w", err)
	}
	entries, err := accesslog.Query(r.Context(), s.state, accesslog.Filter{
		ChildID: r.URL.Query().Get("child_id"), JurisdictionPrefix: j.String(), After: cur.After, Limit: limit + 1,
	})
	if err != nil {
		return err
	}
	out := List[AccessLogEntry]{Items: entries}
	if len(entries) > limit {
		out.Items = entries[:limit]
		out.NextCursor = nextCursor(accessLogCursor{After: entries[limit-1].ID})
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}
