package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
)

// awaitMinPosition makes a query wait (up to the server's bound) until the
// read models have applied the log up to min_position, so that a client
// reads its own writes. Past the bound it answers 503 rather than stale data,
// and so does a request that would wait while MaxWaiters others do.
func (s *Server) awaitMinPosition(r *http.Request) error {
	v := r.URL.Query().Get("min_position")
	if v == "" {
		return nil
	}
	pos, err := strconv.ParseInt(v, 10, 64)
	if err != nil || pos < 0 {
		return &domain.InvalidError{Field: "min_position", Message: "must be a global position (a whole number ≥ 0)"}
	}
	if s.engine.Reached(pos) {
		return nil // no need to wait
	}
	select {
	case s.waiters <- struct{}{}:
		defer func() { <-s.waiters }()
	default:
		return fmt.Errorf("%w: too many requests are waiting for the read models (%d); retry", ErrNotReady, cap(s.waiters))
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.wait)
	defer cancel()
	if err := s.engine.WaitFor(ctx, pos); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: position %d not reached within %s; retry", ErrNotReady, pos, s.wait)
		}
		return fmt.Errorf("wait for position %d: %w", pos, err)
	}
	return nil
}

// listQuery reads what every list query takes: it waits for min_position,
// then reads limit, cursor (into cursor) and the jurisdiction filter.
func (s *Server) listQuery(r *http.Request, p domain.Principal, cursor any) (limit int, j domain.Jurisdiction, err error) {
	if err := s.awaitMinPosition(r); err != nil {
		return 0, domain.Jurisdiction{}, err
	}
	if limit, err = pageParams(r, cursor); err != nil {
		return 0, domain.Jurisdiction{}, err
	}
	if j, err = s.jurisdictionParam(r, p); err != nil {
		return 0, domain.Jurisdiction{}, err
	}
	return limit, j, nil
}

// Page bounds of list queries.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// pageParams reads limit and cursor; the cursor decodes into cursor (a
// pointer to the list's own cursor type), left as is when none is given.
func pageParams(r *http.Request, cursor any) (limit int, err error) {
	limit = defaultLimit
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return 0, &domain.InvalidError{Field: "limit", Message: fmt.Sprintf("must be a whole number from 1 to %d", maxLimit)}
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || json.Unmarshal(raw, cursor) != nil {
			return 0, &domain.InvalidError{Field: "cursor", Message: "not a cursor this list gave"}
		}
	}
	return limit, nil
}

// nextCursor encodes where the next page starts (nil: there is none).
func nextCursor(after any) *string {
	if after == nil {
		return nil
	}
	raw, err := json.Marshal(after)
	if err != nil {
		return nil
	}
	s := base64.RawURLEncoding.EncodeToString(raw)
	return &s
}

// List is the shape of every list answer.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// timeParam reads an optional RFC 3339 time from the query string.
func timeParam(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, &domain.InvalidError{Field: name, Message: "must be an RFC 3339 time with offset, e.g. 2026-03-01T08:00:00+08:00"}
	}
	return t, nil
}

// jurisdictionParam reads an optional jurisdiction filter; it must lie
// within the caller's own, else the answer is 404, as for any resource
// outside it; a code the register of divisions lacks is 400. Without one,
// the caller's own jurisdiction is the filter.
func (s *Server) jurisdictionParam(r *http.Request, p domain.Principal) (domain.Jurisdiction, error) {
	v := r.URL.Query().Get("jurisdiction")
	if v == "" {
		return p.Jurisdiction, nil
	}
	j, err := domain.ParseJurisdiction(v)
	if err != nil {
		return domain.Jurisdiction{}, &domain.InvalidError{Field: "jurisdiction", Message: err.Error()}
	}
	if err := s.handlers.Places().Check(r.Context(), "jurisdiction", j); err != nil {
		return domain.Jurisdiction{}, err
	}
	if !p.Reaches(j) {
		return domain.Jurisdiction{}, domain.NotFound("jurisdiction", v)
	}
	return j, nil
}

// prefersHTML reports whether the client asks for HTML before JSON (a
// browser, or Accept: text/html).
func prefersHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json", "application/problem+json", "*/*", "application/*":
			return false
		}
	}
	return false
}
