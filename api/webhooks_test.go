package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/webhook"
)

// problemFields are the fields a problem's errors name.
func problemFields(t *testing.T, res apitest.Response) []string {
	t.Helper()
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	res.JSON(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

func TestWebhookRoutes(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		good := func() map[string]any {
			return map[string]any{"url": "https://platform.example/hooks", "jurisdiction": county,
				"kinds": []string{"obligation.missed", "obligation.escalated"}}
		}
		bad := []struct {
			name, field string
			change      func(b map[string]any)
		}{
			{"no url", "url", func(b map[string]any) { delete(b, "url") }},
			{"a relative url", "url", func(b map[string]any) { b["url"] = "/hooks" }},
			{"a mail url", "url", func(b map[string]any) { b["url"] = "mailto:ops@platform.example" }},
			{"no jurisdiction", "jurisdiction", func(b map[string]any) { delete(b, "jurisdiction") }},
			{"a code not in the register", "jurisdiction", func(b map[string]any) { b["jurisdiction"] = "370999" }},
			{"no kinds", "kinds", func(b map[string]any) { b["kinds"] = []string{} }},
			{"an unknown kind", "kinds", func(b map[string]any) { b["kinds"] = []string{"obligation.forgotten"} }},
			{"a kind twice", "kinds", func(b map[string]any) { b["kinds"] = []string{"obligation.missed", "obligation.missed"} }},
		}
		for _, tc := range bad {
			b := good()
			tc.change(b)
			res := f.do("POST", "/v1/webhooks", f.admin, b)
			require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", tc.name, res.Body)
			assert.Contains(t, problemFields(t, res), tc.field, tc.name)
		}
		res := f.do("POST", "/v1/webhooks", f.caseworker, good())
		assert.Equal(t, http.StatusForbidden, res.Status, "a caseworker: %s", res.Body)
		res = f.do("POST", "/v1/webhooks", env.Token("admin", "370911", "admin-2", ""), good())
		assert.Equal(t, http.StatusForbidden, res.Status, "an admin of another county: %s", res.Body)

		res = f.do("POST", "/v1/webhooks", f.admin, good())
		hook := answer(t, res, http.StatusCreated)
		assert.Equal(t, []string{"webhook.registered"}, eventTypes(hook))
		require.Len(t, hook.Secret, 64, "a hex HMAC-SHA256")
		assert.Equal(t, env.Tokens.WebhookSecret(hook.ID), hook.Secret, "the secret is derived from the key and the id")
		raw := readStream(t, env, "webhook-"+hook.ID)
		assert.NotContains(t, raw, hook.Secret, "the secret is not in the log")

		pos := hook.Events[0].GlobalPosition
		res = f.do("GET", fmt.Sprintf("/v1/webhooks/%s/deliveries?min_position=%d", hook.ID, pos), f.admin, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		assert.JSONEq(t, `{"items":[],"next_cursor":null}`, string(res.Body))
		res = f.do("GET", "/v1/webhooks/"+hook.ID+"/deliveries", env.Token("admin", "370911", "admin-2", ""), nil)
		assert.Equal(t, http.StatusNotFound, res.Status, "outside the admin's jurisdiction")
		res = f.do("GET", "/v1/webhooks/0190aaaa-0000-7000-8000-000000000000/deliveries", f.admin, nil)
		assert.Equal(t, http.StatusNotFound, res.Status)

		res = f.do("POST", "/v1/webhooks/"+hook.ID+"/removal", f.admin, nil)
		assert.Equal(t, []string{"webhook.removed"}, eventTypes(answer(t, res, http.StatusOK)))
		res = f.do("POST", "/v1/webhooks/"+hook.ID+"/removal", f.admin, nil)
		require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
		assert.Contains(t, string(res.Body), "webhook_removed")
		res = f.do("POST", "/v1/webhooks/0190aaaa-0000-7000-8000-000000000000/removal", f.admin, nil)
		assert.Equal(t, http.StatusNotFound, res.Status)
	})
}

// readStream is a stream's stored events as text, as the database holds them.
func readStream(t *testing.T, env *apitest.Env, stream string) string {
	t.Helper()
	events, err := env.Raw.ReadStream(context.Background(), stream, 0, 0)
	require.NoError(t, err)
	require.NotEmpty(t, events)
	var b strings.Builder
	for _, e := range events {
		b.Write(e.Data)
	}
	return b.String()
}

// receiver is a webhook's other end: it fails the first attempts, then
// keeps what it accepts, checking each signature.
type receiver struct {
	t      *testing.T
	secret func() string
	fails  int

	mu       sync.Mutex
	attempts int
	accepted []webhook.Payload
	badSigs  int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts++
	if !validSignature(rc.secret(), r.Header.Get("Careledger-Signature"), body) {
		rc.badSigs++
	}
	if rc.attempts <= rc.fails {
		http.Error(w, "not now", http.StatusServiceUnavailable)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		rc.t.Errorf("payload: %v: %s", err, body)
	}
	rc.accepted = append(rc.accepted, p)
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) got() ([]webhook.Payload, int, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]webhook.Payload(nil), rc.accepted...), rc.attempts, rc.badSigs
}

// validSignature checks "t=<unix>,v1=<hex HMAC-SHA256 of "t.body">".
func validSignature(secret, header string, body []byte) bool {
	ts, sig, ok := strings.Cut(header, ",")
	ts, ok1 := strings.CutPrefix(ts, "t=")
	sig, ok2 := strings.CutPrefix(sig, "v1=")
	if !ok || !ok1 || !ok2 {
		return false
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// TestWebhookDelivery: a receiver that fails twice, then succeeds, gets
// every notification of its jurisdiction once, in order, signed; the
// deliveries list tells the attempts.
func TestWebhookDelivery(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		var secret string
		var mu sync.Mutex
		rc := &receiver{t: t, fails: 2, secret: func() string { mu.Lock(); defer mu.Unlock(); return secret }}
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)

		d, err := webhook.New(webhook.Config{DB: env.DB, State: env.State, Poll: 20 * time.Millisecond, Backoff: 50 * time.Millisecond,
			Secret: func(id string) []byte { return []byte(env.Tokens.WebhookSecret(id)) }})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		t.Cleanup(func() { cancel(); require.NoError(t, <-done) })

		hook := answer(t, f.do("POST", "/v1/webhooks", f.admin, map[string]any{"url": srv.URL + "/in", "jurisdiction": county,
			"kinds": []string{"obligation.opened", "referral.received"}}), http.StatusCreated)
		mu.Lock()
		secret = hook.Secret
		mu.Unlock()
		awaitArmed(t, env, hook.ID)

		// Another county's obligations are not the webhook's.
		other := reportBody()
		other["child"].(map[string]any)["jurisdiction"] = "370911001001"
		answer(t, f.do("POST", "/v1/cases", env.Token("caseworker", "370911", "cw-2", ""), other), http.StatusCreated)
		caseID := f.openCase()
		f.makeReferral(caseID)

		var items []api.WebhookDelivery
		require.Eventually(t, func() bool {
			res := f.do("GET", "/v1/webhooks/"+hook.ID+"/deliveries", f.admin, nil)
			if res.Status != http.StatusOK {
				return false
			}
			var list api.List[api.WebhookDelivery]
			res.JSON(t, &list)
			items = list.Items
			if len(items) < 3 {
				return false
			}
			for _, it := range items {
				if it.Status != webhook.StatusDelivered {
					return false
				}
			}
			return true
		}, 30*time.Second, 50*time.Millisecond, "every delivery is delivered: %+v", items)

		accepted, attempts, badSigs := rc.got()
		assert.Zero(t, badSigs, "every attempt is signed with the webhook's secret")
		require.Len(t, accepted, len(items), "each delivery is accepted once")
		assert.Equal(t, len(items)+2, attempts, "two failed attempts, then one each")
		for i, p := range accepted {
			it := items[len(items)-1-i] // the list is latest first
			assert.Equal(t, it.EventID, p.ID, "in order: delivery %d", i)
			assert.Equal(t, it.Kind, p.Kind)
			assert.True(t, strings.HasPrefix(p.Deadline.Jurisdiction.String(), county), "within the webhook's jurisdiction: %+v", p.Deadline)
			assert.Contains(t, []string{"obligation.opened", "referral.received"}, p.Kind)
		}
		kinds := map[string]bool{}
		for _, p := range accepted {
			kinds[p.Kind] = true
		}
		assert.True(t, kinds["referral.received"], "the referral's answer is told: %v", kinds)
		first := items[len(items)-1]
		assert.Equal(t, int64(3), first.Attempts, "the first message was tried three times")
		assert.Contains(t, first.LastError, "503", "the last failure is kept")
		for _, it := range items[:len(items)-1] {
			assert.Equal(t, int64(1), it.Attempts, "later messages waited their turn: %+v", it)
		}
		assert.NotContains(t, fmt.Sprint(accepted), "张小明", "no personal data")
	})
}

// awaitArmed waits until the dispatcher has seen the webhook (it is told
// what becomes known from then on).
func awaitArmed(t *testing.T, env *apitest.Env, hookID string) {
	t.Helper()
	require.Eventually(t, func() bool {
		var n int
		err := env.State.SQL.QueryRow(`SELECT count(*) FROM webhook_cursors WHERE webhook_id = $1`, hookID).Scan(&n)
		return err == nil && n == 1
	}, 30*time.Second, 20*time.Millisecond, "the dispatcher sees the webhook")
}
