package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/webhooks"
)

// Payload is the body of a delivery: the notification's id (the feed
// cursor after it, the same for every attempt, so a receiver can drop a
// repeat), its kind and moment, and the obligation as it stands, which
// holds no personal data.
type Payload struct {
	ID       string        `json:"id"`
	Kind     string        `json:"kind"`
	At       time.Time     `json:"at"`
	Deadline deadlines.Row `json:"deadline"`
}

// SignatureHeader carries a delivery's signature.
const SignatureHeader = "Careledger-Signature"

// Sign spells the signature header of a body sent at t under a secret:
// "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>">".
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// errPermanent marks a message that can never be delivered: it goes to
// the poison queue rather than being retried.
var errPermanent = errors.New("cannot be delivered")

// errNotYet: the message's next attempt is not due yet (backoff).
var errNotYet = errors.New("next attempt not due yet")

// handle delivers one message: once delivered (or its webhook removed)
// it is acknowledged and done; a failure is recorded and returned, so that
// the Retry middleware and then the subscriber try the same message again
// before any later one.
func (d *Dispatcher) handle(msg *message.Message) error {
	ctx := context.WithoutCancel(msg.Context())
	hookID := msg.Metadata.Get(metaHook)
	seq, err := strconv.ParseInt(msg.Metadata.Get(metaSeq), 10, 64)
	if hookID == "" || err != nil {
		return fmt.Errorf("message %s names no webhook or sequence: %w", msg.UUID, errPermanent)
	}
	at, found, err := loadAttempt(ctx, d.state, hookID, seq)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("message %s of webhook %s has no delivery record: %w", msg.UUID, hookID, errPermanent)
	}
	if at.status != StatusPending {
		return d.outbox.done(ctx, hookID, msg) // delivered before a restart: not again
	}
	hook, ok, err := webhooks.Find(ctx, d.db, hookID)
	if err != nil {
		return err
	}
	if !ok || !hook.Active() {
		if err := recordAttempt(ctx, d.state, hookID, seq, false, StatusFailed, "webhook removed", d.now()); err != nil {
			return err
		}
		return d.outbox.done(ctx, hookID, msg)
	}
	if at.attempts > 0 && d.now().Before(at.last.Add(d.backoff(at.attempts))) {
		return errNotYet
	}
	postErr := d.post(msg.Context(), hook.URL, hookID, msg.Payload)
	status, lastErr := StatusDelivered, ""
	if postErr != nil {
		status, lastErr = StatusPending, postErr.Error()
	}
	if err := recordAttempt(ctx, d.state, hookID, seq, true, status, lastErr, d.now()); err != nil {
		return errors.Join(postErr, err)
	}
	if postErr != nil {
		return postErr
	}
	return d.outbox.done(ctx, hookID, msg)
}

// backoff is how long after the n-th failed attempt the next one is due:
// Backoff, doubling each time, up to MaxBackoff.
func (d *Dispatcher) backoff(n int64) time.Duration {
	b := d.cfg.Backoff
	for i := int64(1); i < n && b < d.cfg.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.cfg.MaxBackoff)
}

// post sends the body, signed, and wants a 2xx.
func (d *Dispatcher) post(ctx context.Context, url, hookID string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "careledger-webhook")
	req.Header.Set(SignatureHeader, Sign(d.cfg.Secret(hookID), d.now(), body))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("POST: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("POST: the receiver answered %s", resp.Status)
	}
	return nil
}
