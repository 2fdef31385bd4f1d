package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	hookNow   = time.Date(2026, 12, 1, 9, 0, 0, 0, ChinaStandardTime)
	hookAdmin = acting(RoleAdmin, "admin-1", "3709")
	hookIn    = WebhookRegistered{WebhookID: "h-1", URL: "https://platform.example/hooks", Jurisdiction: mustPlace("370902"),
		Kinds: []string{NoticeMissed, NoticeEscalated}}
)

func TestRegisterWebhook(t *testing.T) {
	t.Parallel()
	with := func(f func(in *WebhookRegistered)) WebhookRegistered {
		in := hookIn
		in.Kinds = append([]string(nil), hookIn.Kinds...)
		f(&in)
		return in
	}
	t.Run("an admin registers a webhook", func(t *testing.T) {
		t.Parallel()
		w, err := RegisterWebhook(hookAdmin, hookNow, hookIn)
		require.NoError(t, err)
		require.Len(t, w.Changes(), 1)
		assert.Equal(t, hookIn, w.Changes()[0].Event)
		assert.True(t, w.Active())
	})
	invalids := []struct {
		name, field string
		in          WebhookRegistered
	}{
		{"no url", "url", with(func(in *WebhookRegistered) { in.URL = " " })},
		{"a relative url", "url", with(func(in *WebhookRegistered) { in.URL = "/hooks" })},
		{"another scheme", "url", with(func(in *WebhookRegistered) { in.URL = "ftp://platform.example/hooks" })},
		{"no host", "url", with(func(in *WebhookRegistered) { in.URL = "https:///hooks" })},
		{"a password", "url", with(func(in *WebhookRegistered) { in.URL = "https://u:p@platform.example/" })},
		{"an overlong url", "url", with(func(in *WebhookRegistered) { in.URL = "https://a.example/" + strings.Repeat("x", 2000) })},
		{"no jurisdiction", "jurisdiction", with(func(in *WebhookRegistered) { in.Jurisdiction = Jurisdiction{} })},
		{"no kinds", "kinds", with(func(in *WebhookRegistered) { in.Kinds = nil })},
		{"an unknown kind", "kinds", with(func(in *WebhookRegistered) { in.Kinds = []string{"obligation.forgotten"} })},
		{"a kind twice", "kinds", with(func(in *WebhookRegistered) { in.Kinds = []string{NoticeMissed, NoticeOpened, NoticeMissed} })},
	}
	for _, tc := range invalids {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := RegisterWebhook(hookAdmin, hookNow, tc.in)
			thenInvalid(t, err, tc.field)
		})
	}
	t.Run("outside the admin's jurisdiction", func(t *testing.T) {
		t.Parallel()
		_, err := RegisterWebhook(hookAdmin, hookNow, with(func(in *WebhookRegistered) { in.Jurisdiction = mustPlace("3701") }))
		thenForbidden(t, err)
	})
	for _, role := range everyRole {
		if role == RoleAdmin {
			continue
		}
		t.Run("not a "+role.String(), func(t *testing.T) {
			t.Parallel()
			_, err := RegisterWebhook(acting(role, "someone", "3709"), hookNow, hookIn)
			thenForbidden(t, err)
		})
	}
}

func TestRemoveWebhook(t *testing.T) {
	t.Parallel()
	registered := Change{Event: hookIn, Actor: hookAdmin.Actor, OccurredAt: hookNow}
	removed := Change{Event: WebhookRemoved{}, Actor: hookAdmin.Actor, OccurredAt: hookNow.Add(time.Hour)}
	specs := []struct {
		name  string
		given []Change
		by    Principal
		then  []Event
		rule  string
		deny  bool
	}{
		{name: "an admin removes a webhook", given: []Change{registered}, by: hookAdmin, then: []Event{WebhookRemoved{}}},
		{name: "a removed webhook", given: []Change{registered, removed}, by: hookAdmin, rule: RuleWebhookRemoved},
		{name: "not an inspector", given: []Change{registered}, by: acting(RoleInspector, "i-1", "3709"), deny: true},
	}
	for _, tc := range specs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := LoadWebhook(throughJSON(t, storedAs(WebhookStream("h-1"), tc.given...)))
			require.True(t, w.Registered())
			err := w.Remove(tc.by, hookNow.Add(2*time.Hour))
			switch {
			case tc.rule != "":
				thenRule(t, err, tc.rule)
			case tc.deny:
				thenForbidden(t, err)
			default:
				require.NoError(t, err)
				var got []Event
				for _, ch := range w.Changes() {
					got = append(got, ch.Event)
				}
				assert.Equal(t, tc.then, got)
				assert.False(t, w.Active())
			}
			assert.Equal(t, int64(len(tc.given)+len(w.Changes())), w.Version())
		})
	}
	t.Run("the stream is told apart", func(t *testing.T) {
		t.Parallel()
		id, err := ParseStreamID("webhook-0190aa")
		require.NoError(t, err)
		assert.Equal(t, WebhookStream("0190aa"), id)
	})
}
