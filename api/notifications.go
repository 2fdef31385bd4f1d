package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
)

// Notification is one server-sent event of GET /v1/notifications: what
// happened (kind: obligation.opened, obligation.due_soon,
// obligation.missed, obligation.escalated, referral.received), when, and
// the obligation as it stands (no personal data). ID is the event's id: a
// reader that reconnects with it as Last-Event-ID resumes right after it.
type Notification struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
	Deadline Deadline  `json:"deadline"`
}

// Notification stream pacing.
const (
	notifyBatch     = 100
	notifyKeepAlive = 15 * time.Second
	notifyWrite     = 30 * time.Second
)

// notifications is GET /v1/notifications?jurisdiction=: the caller's inbox as
// server-sent events, read from the deadline view (deadlines.Feed), never
// from memory, so that a reader that reconnects with Last-Event-ID (the
// header, or ?last_event_id= for clients that cannot set it) is told
// everything after that event, whichever server it reaches and whether or
// not the server restarted; without one it is told what happens from now.
// The stream polls the view (the server's NotifyPoll), sends a comment
// every 15 s to keep the connection, and ends when the caller's token no
// longer serves (a deactivation) or the server shuts down (EndStreams).
func (s *Server) notifications(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	ctx := r.Context()
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	j, err := s.jurisdictionParam(r, p)
	if err != nil {
		return err
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("last_event_id")
	}
	var cur deadlines.FeedCursor
	if last != "" {
		raw, err := base64.RawURLEncoding.DecodeString(last)
		if err != nil || json.Unmarshal(raw, &cur) != nil || cur.Generation == "" {
			return &domain.InvalidError{Field: "Last-Event-ID", Message: "is not an event id this server gave"}
		}
	} else if cur, err = deadlines.FeedStart(ctx, s.db, s.now()); err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(text string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(notifyWrite))
		if _, err := fmt.Fprint(w, text); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 2000\n\n") {
		return nil
	}
	quiet := time.Now()
	for {
		if _, err := s.authenticate(r); err != nil {
			return nil // the token no longer serves: the stream ends
		}
		now := s.now()
		policies, err := deadlines.Policies(ctx, s.db)
		if err != nil {
			return s.streamFailed(r, err)
		}
		policy, _ := policies.InForce(now)
		f := deadlines.FeedFilter{Scope: scopeOf(p, j), DueSoon: policy.DueSoon.D, Now: now}
		if j != p.Jurisdiction {
			f.Only = j
		}
		switch p.Role {
		case domain.RoleChildSupervisor:
			f.Escalated = true
		case domain.RoleInspector:
			f.Escalated, f.EscalateAfter = true, policy.EscalateAfter.D
		}
		notes, next, err := deadlines.Feed(ctx, s.db, f, cur, notifyBatch)
		if err != nil {
			return s.streamFailed(r, err)
		}
		rows := make([]deadlines.Row, len(notes))
		for i, n := range notes {
			rows[i] = n.Deadline
		}
		if len(notes) > 0 {
			s.awaitRegister(ctx)
		}
		if err := s.nameOwners(ctx, rows, now); err != nil {
			return s.streamFailed(r, err)
		}
		for i, n := range notes {
			id, err := eventID(n.After)
			if err != nil {
				return s.streamFailed(r, err)
			}
			data, err := json.Marshal(Notification{ID: id, Kind: n.Kind, At: n.At, Deadline: rows[i]})
			if err != nil {
				return s.streamFailed(r, err)
			}
			if !send("id: " + id + "\nevent: " + n.Kind + "\ndata: " + string(withPlaceNames(data, s.placeName(ctx))) + "\n\n") {
				return nil
			}
			quiet = time.Now()
		}
		cur = next
		if len(notes) == notifyBatch {
			continue
		}
		if time.Since(quiet) >= notifyKeepAlive {
			if !send(": keep-alive\n\n") {
				return nil
			}
			quiet = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.streamsEnd:
			return nil
		case <-time.After(s.notifyPoll):
		}
	}
}

// awaitRegister waits, at most the server's min_position wait, until
// every read model has applied the log as far as the deadline view has:
// the notes just read name their owners from the register's read model,
// which on PostgreSQL follows the log apart from the deadline view and may
// not yet know a worker whose obligation the view already has. If it does
// not come, the notes go out without those names.
func (s *Server) awaitRegister(ctx context.Context) {
	pos := s.engine.Position((*deadlines.Projection)(nil).Name())
	if s.engine.Reached(pos) {
		return
	}
	wait, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	_ = s.engine.WaitFor(wait, pos)
}

// eventID spells a feed cursor as an event id.
func eventID(c deadlines.FeedCursor) (string, error) { return c.ID() }

// streamFailed ends a stream whose status line is sent: the error can only
// be logged; the reader reconnects with its last event id.
func (s *Server) streamFailed(r *http.Request, err error) error {
	s.log.ErrorContext(r.Context(), "notification stream failed", "error", err)
	return nil
}
