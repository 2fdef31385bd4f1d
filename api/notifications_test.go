package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// sseEvent is one server-sent event as a client reads it.
type sseEvent struct {
	id, kind string
	note     api.Notification
}

// subscribe opens GET /v1/notifications (after lastID, if set) and
// streams its events into the channel until stop is called.
func subscribe(t testing.TB, env *apitest.Env, token, lastID string) (events <-chan sseEvent, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.URL+"/v1/notifications", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/event-stream; charset=utf-8", res.Header.Get("Content-Type"))
	out := make(chan sseEvent, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.kind != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.note); err != nil {
					t.Errorf("event data: %v: %s", err, line)
				}
			}
		}
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return out, stop
}

// await reads events until one of the kind about the obligation kind
// comes (or the time runs out), and returns it with those read before.
func await(t *testing.T, events <-chan sseEvent, kind, obligation string) (sseEvent, []sseEvent) {
	t.Helper()
	var seen []sseEvent
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-events:
			seen = append(seen, ev)
			if ev.kind == kind && ev.note.Deadline.Kind == obligation {
				return ev, seen
			}
		case <-timeout:
			t.Fatalf("no %s of a %s obligation; saw %d events", kind, obligation, len(seen))
			return sseEvent{}, nil
		}
	}
}

// TestNotifications: a director's stream tells her of an obligation she
// owes as it opens and when it is missed; the township's supervisor is
// told it was escalated; a reader that reconnects with its last event id
// is told what happened meanwhile, and nothing it was told before.
func TestNotifications(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		directorID, director := f.workerTrainedDaysAgo("child_director", village, 5)
		_, supervisor := f.trainedWorker("child_supervisor", village[:9])
		child := f.registerChild()

		mine, stop := subscribe(t, env, director, "")
		above, _ := subscribe(t, env, supervisor, "")
		visit := func(ago time.Duration) {
			t.Helper()
			answer(t, f.do("POST", "/v1/children/"+child+"/visits", director, map[string]any{
				"occurred_at": at(-ago), "findings": "孩子独自在家", "concerns": []string{"living_alone"},
			}), http.StatusOK)
		}
		// Due two seconds from now: told as it opens, then as it is missed.
		visit(time.Hour - 2*time.Second)
		opened, _ := await(t, mine, "obligation.opened", "report_after_visit")
		assert.Equal(t, "open", opened.note.Deadline.Status)
		assert.Equal(t, directorID, opened.note.Deadline.Owner)
		assert.Equal(t, "王芳", opened.note.Deadline.OwnerName)
		assert.Equal(t, opened.id, opened.note.ID)
		missed, _ := await(t, mine, "obligation.missed", "report_after_visit")
		assert.Equal(t, opened.note.Deadline.Key, missed.note.Deadline.Key)
		escalated, _ := await(t, above, "obligation.escalated", "report_after_visit")
		assert.Equal(t, opened.note.Deadline.Key, escalated.note.Deadline.Key)
		assert.Equal(t, directorID, escalated.note.Deadline.Owner, "who missed it")

		stop()
		visit(10 * time.Minute) // while she is away
		again, _ := subscribe(t, env, director, missed.id)
		resumed, before := await(t, again, "obligation.opened", "report_after_visit")
		assert.NotEqual(t, opened.note.Deadline.Key, resumed.note.Deadline.Key, "the new obligation, not the one told before")
		for _, ev := range before {
			assert.NotEqual(t, opened.note.Deadline.Key, ev.note.Deadline.Key, "nothing told before is told again: %s", ev.kind)
		}

		res := f.do("GET", "/v1/notifications", director, nil, "Last-Event-ID", "not-an-id")
		assert.Equal(t, "Last-Event-ID", problemField(t, res, http.StatusBadRequest))
		problemField(t, f.do("GET", "/v1/notifications", env.Token("analyst", county, "an-1", ""), nil), http.StatusForbidden)
	})
}

// TestNotificationsDueSoonAndReferrals: a director's stream tells her when
// an obligation she owes becomes due soon (at its due time less the
// policy's due_soon), after it opened and before it is missed; a partner
// agency's stream tells it of a referral made to it (referral.received),
// and not of the case's other obligations, nor of another agency's.
func TestNotificationsDueSoonAndReferrals(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		// Due soon 59 min 50 s before its due time: a report owed an hour
		// after a visit becomes due soon ten seconds after the visit.
		p := domain.DefaultPolicy()
		p.DueSoon = domain.Duration{D: time.Hour - 10*time.Second}
		raw, err := json.Marshal(p)
		require.NoError(t, err)
		var policy map[string]any
		require.NoError(t, json.Unmarshal(raw, &policy))
		answer(t, f.do("PUT", "/v1/policy", f.admin, policy), http.StatusOK)

		directorID, director := f.workerTrainedDaysAgo("child_director", village, 5)
		child := f.registerChild()
		mine, _ := subscribe(t, env, director, "")
		visited := time.Now().Add(-2 * time.Second)
		answer(t, f.do("POST", "/v1/children/"+child+"/visits", director, map[string]any{
			"occurred_at": visited.Format(time.RFC3339Nano), "findings": "孩子独自在家", "concerns": []string{"living_alone"},
		}), http.StatusOK)
		opened, _ := await(t, mine, "obligation.opened", "report_after_visit")
		soon, between := await(t, mine, "obligation.due_soon", "report_after_visit")
		assert.Equal(t, opened.note.Deadline.Key, soon.note.Deadline.Key)
		assert.Equal(t, directorID, soon.note.Deadline.Owner)
		assert.Equal(t, "open", soon.note.Deadline.Status, "not yet missed")
		assert.WithinDuration(t, soon.note.Deadline.DueAt.Add(-p.DueSoon.D), soon.note.At, time.Second, "told at its due time less due_soon")
		assert.True(t, soon.note.At.After(opened.note.At), "after it opened")
		for _, ev := range between {
			assert.NotEqual(t, "obligation.missed", ev.kind, "due soon comes before missed")
		}

		education, _ := subscribe(t, env, env.Token("partner", county, "edu-1", "education"), "")
		health, _ := subscribe(t, env, env.Token("partner", county, "health-1", "health"), "")
		caseID := f.openCase()
		referralID := f.makeReferral(caseID)
		received, before := await(t, education, "referral.received", "referral_answer")
		assert.Equal(t, referralID, received.note.Deadline.ReferralID)
		assert.Equal(t, caseID, received.note.Deadline.CaseID)
		assert.Equal(t, "agency:education", received.note.Deadline.Owner)
		for _, ev := range before {
			assert.Equal(t, "agency:education", ev.note.Deadline.Owner, "only what the agency owes: %s %s", ev.kind, ev.note.Deadline.Kind)
		}
		select {
		case ev := <-health:
			t.Errorf("another agency is told %s of a %s owed by %s", ev.kind, ev.note.Deadline.Kind, ev.note.Deadline.Owner)
		case <-time.After(500 * time.Millisecond):
		}
	})
}
