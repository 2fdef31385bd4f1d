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
