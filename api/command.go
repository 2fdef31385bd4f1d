package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// Answer is what every command answers (API.md "Command answer").
type Answer struct {
	ID         string     `json:"id"`
	Version    int64      `json:"version"`
	Events     []EventRef `json:"events"`
	ReferralID string     `json:"referral_id,omitempty"`
	// RectificationIDs are the ids of the rectification items the
	// findings (POST /v1/inquiries/{id}/findings) recorded, in order.
	RectificationIDs []string `json:"rectification_ids,omitempty"`
	// ChildID names the child a report registered (POST /v1/cases with a
	// new child) or concerns.
	ChildID string `json:"child_id,omitempty"`
	// Secret is a webhook's signing secret, in hex (POST /v1/webhooks).
	Secret string `json:"secret,omitempty"`
}

// EventRef names an appended event.
type EventRef struct {
	Type           string `json:"type"`
	GlobalPosition int64  `json:"global_position"`
}

// answerOf turns a command's result into its answer.
func answerOf(res commands.Result) Answer {
	a := Answer{ID: res.ID, Version: res.Version, ReferralID: res.ReferralID, Events: make([]EventRef, 0, len(res.Events))}
	for _, e := range res.Events {
		a.Events = append(a.Events, EventRef{Type: e.Type, GlobalPosition: e.GlobalPosition})
	}
	return a
}

// maxIdempotencyKey is the longest Idempotency-Key accepted.
const maxIdempotencyKey = 200

// command runs a command route: it decodes the body into B (an empty body
// counts as {}), reads If-Match and Idempotency-Key, calls run, and answers
// with status (201 or 200), the answer and an ETag of the stream's version.
func command[B any](s *Server, w http.ResponseWriter, r *http.Request, p domain.Principal, status int,
	run func(ctx context.Context, call commands.Call, body B) (Answer, error)) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("%w: read body: %v", ErrMalformed, err)
	}
	if len(raw) > maxBody {
		return fmt.Errorf("%w: the limit is %d bytes", ErrTooLarge, maxBody)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && len(bytes.TrimSpace(raw)) > 0 {
		if err := checkJSONContentType(ct); err != nil {
			return err
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	var body B
	if err := decodeJSON(raw, &body); err != nil {
		return err
	}
	call, err := s.call(r, p, body)
	if err != nil {
		return err
	}
	ans, err := run(r.Context(), call, body)
	if err != nil {
		return err
	}
	if ans.Events == nil {
		ans.Events = []EventRef{}
	}
	s.keepPace(r.Context(), ans)
	w.Header().Set("ETag", etag(ans.Version))
	writeJSON(w, status, ans)
	return nil
}

// call reads what every command carries besides its body.
func (s *Server) call(r *http.Request, p domain.Principal, body any) (commands.Call, error) {
	call := commands.Call{Principal: p, CorrelationID: requestID(r.Context())}
	if v := r.Header.Get("If-Match"); v != "" {
		n, err := parseETag(v)
		if err != nil {
			return commands.Call{}, err
		}
		call.IfMatch = &n
	}
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		if len(key) > maxIdempotencyKey || !utf8.ValidString(key) {
			return commands.Call{}, &domain.InvalidError{Field: "Idempotency-Key", Message: fmt.Sprintf("must be a string of at most %d characters", maxIdempotencyKey)}
		}
		call.IdempotencyKey = key
		// The fingerprint is of the decoded body, so that a retry that only
		// spaces its JSON differently is the same request. It is keyed (the
		// server's token key): it is stored in clear in the events'
		// metadata, and a bare hash of a body with personal data could be
		// tested against guesses.
		canonical, err := json.Marshal(body)
		if err != nil {
			return commands.Call{}, fmt.Errorf("fingerprint request: %w", err)
		}
		mac := hmac.New(sha256.New, s.tokens.key)
		mac.Write([]byte("careledger request\x00" + r.Method + " " + r.URL.Path + "\n"))
		mac.Write(canonical)
		call.RequestHash = hex.EncodeToString(mac.Sum(nil))
	}
	return call, nil
}

// parseETag reads an If-Match value: "N" (or N, or W/"N").
func parseETag(v string) (int64, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n < 0 {
		return 0, &domain.InvalidError{Field: "If-Match", Message: `must be a version as the ETag gives it, e.g. "3"`}
	}
	return n, nil
}

// etag spells a stream version as an ETag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

func checkJSONContentType(ct string) error {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return fmt.Errorf("%w: Content-Type must be application/json", ErrMalformed)
	}
	return nil
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
