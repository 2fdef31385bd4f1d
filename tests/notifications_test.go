package tests

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
)

// sse is one server-sent event as a client reads it.
type sse struct {
	id, kind string
	data     struct {
		Deadline struct {
			Key  string `json:"key"`
			Kind string `json:"kind"`
		} `json:"deadline"`
	}
}

// listen opens GET /v1/notifications after lastID (if set) and streams its
// events until the server ends the stream or stop is called.
func listen(t *testing.T, s *server, token, lastID string) (<-chan sse, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/v1/notifications", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	out := make(chan sse, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sse
		for sc.Scan() {
			switch line := sc.Text(); {
			case line == "":
				if ev.kind != "" {
					out <- ev
				}
				ev = sse{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.kind = line[7:]
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(line[6:]), &ev.data)
			}
		}
	}()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return out, stop
}

// next waits for the next event about a report_after_visit obligation.
func next(t *testing.T, events <-chan sse) sse {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			require.True(t, ok, "the stream ended")
			if ev.data.Deadline.Kind == "report_after_visit" {
				return ev
			}
		case <-timeout:
			t.Fatal("no notification within 30 s")
		}
	}
}

// TestNotificationsAcrossRestarts: the real server on each backend. A
// director's stream tells her of what she owes; a graceful stop ends the
// stream (it does not hold the shutdown); after a SIGKILL and a start, she
// reconnects with her last event id and is told what she owes since,
// nothing twice.
func TestNotificationsAcrossRestarts(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, b)
			var seen int64
			admin := actor{s: s, token: s.token("admin", "all", "admin"), seen: &seen}
			directorID := admin.command(http.MethodPost, "/v1/workers", map[string]any{"name": "孙桂英", "role": "child_director", "jurisdiction": village}, http.StatusCreated).ID
			admin.post("/v1/workers/"+directorID+"/training", map[string]any{"passed": true, "completed_on": time.Now().In(cst).AddDate(0, 0, -30).Format(time.DateOnly)})
			director := actor{s: s, token: s.token("child_director", village, directorID), seen: &seen}
			caseworker := actor{s: s, token: s.token("caseworker", county, "cw-1"), seen: &seen}
			childID := caseworker.command(http.MethodPost, "/v1/children", map[string]any{
				"name": "刘小燕", "birth_date": "2016-05-09", "sex": "female", "jurisdiction": village,
				"categories": []string{"left_behind"}, "key_child_flags": []string{},
				"guardian":         map[string]any{"name": "刘建国", "relation": "father", "phone": "13800000002"},
				"living_situation": "与祖母同住", "schooling": "在校", "hukou_registered": true,
			}, http.StatusCreated).ID
			visit := func() {
				director.post("/v1/children/"+childID+"/visits", map[string]any{
					"occurred_at": rfc(now().Add(-time.Minute)), "findings": "孩子独自在家", "concerns": []string{"living_alone"},
				})
			}

			events, _ := listen(t, s, director.token, "")
			visit()
			first := next(t, events)
			assert.Equal(t, "obligation.opened", first.kind)

			t.Log("a graceful stop ends the stream")
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				for range events {
				}
			}()
			s.restart()
			select {
			case <-stopped:
			case <-time.After(20 * time.Second):
				t.Fatal("the stream outlived the server")
			}

			t.Log("SIGKILL, start, and what happened meanwhile is told")
			s.kill()
			s.start()
			visit()
			resumed, _ := listen(t, s, director.token, first.id)
			second := next(t, resumed)
			assert.Equal(t, "obligation.opened", second.kind)
			assert.NotEqual(t, first.data.Deadline.Key, second.data.Deadline.Key, "the new obligation; the first is not told again")
		})
	}
}
