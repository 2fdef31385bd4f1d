package tests

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections/readdb"
)

// hookReceiver is a webhook's other end: while refusing it answers 503
// (and tells each refused delivery's id on refused); told to refuse n more,
// it refuses that many further requests and then accepts. It keeps every
// request.
type hookReceiver struct {
	mu       sync.Mutex
	refusing bool
	more     int         // requests still to refuse once refusing is over
	refused  chan string // the id of each refused delivery
	bodies   []hookBody
	accepted []string
}

type hookBody struct {
	id, sig string
	raw     []byte
	ok      bool // accepted
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var p struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &p)
	h.mu.Lock()
	defer h.mu.Unlock()
	refuse := h.refusing || h.more > 0
	if !h.refusing && h.more > 0 {
		h.more--
	}
	h.bodies = append(h.bodies, hookBody{id: p.ID, sig: r.Header.Get("Careledger-Signature"), raw: raw, ok: !refuse})
	if refuse {
		select {
		case h.refused <- p.ID:
		default:
		}
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	h.accepted = append(h.accepted, p.ID)
	w.WriteHeader(http.StatusOK)
}

// refuseOnce more, then accept.
func (h *hookReceiver) refuseOnceMore() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refusing, h.more = false, 1
}

// armed waits until the server's dispatcher has seen the webhook (it is
// told what becomes known from then on), reading its table directly.
func armed(t *testing.T, s *server, hookID string) {
	t.Helper()
	var db *sql.DB
	var err error
	if s.postgres != "" {
		db, err = sql.Open("pgx", s.postgres)
	} else {
		db, err = readdb.OpenSQLite(filepath.Join(s.data, "careledger.db"))
	}
	require.NoError(t, err)
	defer db.Close()
	require.Eventually(t, func() bool {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM webhook_cursors WHERE webhook_id = $1`, hookID).Scan(&n)
		return err == nil && n == 1
	}, 30*time.Second, 50*time.Millisecond, "the dispatcher sees the webhook")
}

// TestWebhookAcrossSIGKILL: a receiver refuses the first delivery; the
// server is killed (SIGKILL) before the next attempt; after a start the
// receiver refuses once more, then accepts. Every obligation of the
// county, opened before the kill and after the start, arrives once
// accepted, in the order the obligations became known, each attempt
// signed, and the history tells it.
func TestWebhookAcrossSIGKILL(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, b)
			rc := &hookReceiver{refusing: true, refused: make(chan string, 16)}
			srv := httptest.NewServer(rc)
			t.Cleanup(srv.Close)
			var seen int64
			admin := actor{s: s, token: s.token("admin", "all", "admin"), seen: &seen}
			res := s.do(request{method: http.MethodPost, path: "/v1/webhooks", token: admin.token, body: map[string]any{
				"url": srv.URL + "/careledger", "jurisdiction": county, "kinds": []string{"obligation.opened"}}})
			require.Equal(t, http.StatusCreated, res.status, res.String())
			var hook struct {
				ID, Secret string
			}
			res.json(t, &hook)
			require.NotEmpty(t, hook.Secret)
			armed(t, s, hook.ID)

			// A child and a report that the child lives alone: the
			// child's and the case's obligations.
			caseworker := actor{s: s, token: s.token("caseworker", county, "cw-1"), seen: &seen}
			child := func(name string) string {
				return caseworker.command(http.MethodPost, "/v1/children", map[string]any{
					"name": name, "birth_date": "2016-05-09", "sex": "female", "jurisdiction": village,
					"categories": []string{"left_behind"}, "key_child_flags": []string{},
					"guardian":         map[string]any{"name": "刘建国", "relation": "father", "phone": "13800000002"},
					"living_situation": "与祖母同住", "schooling": "在校", "hukou_registered": true,
				}, http.StatusCreated).ID
			}
			report := func(childID string) {
				caseworker.command(http.MethodPost, "/v1/cases", map[string]any{
					"child_id": childID, "source": "hotline_12355", "reporter": map[string]any{"type": "anonymous"},
					"concerns": []string{"living_alone"}, "risk": "high", "received_at": time.Now().Format(time.RFC3339),
					"summary": "儿童独自在家",
				}, http.StatusCreated)
			}
			report(child("刘小燕"))

			var first string
			select {
			case first = <-rc.refused:
			case <-time.After(30 * time.Second):
				t.Fatal("no delivery was attempted")
			}
			t.Log("SIGKILL between attempts, then a start")
			s.kill()
			rc.refuseOnceMore()
			s.start()
			// Obligations that become known after the start queue behind
			// the ones still owed.
			report(child("王小军"))

			// Every obligation of the county (a referral's would be told
			// as referral.received: there is none).
			var want []string
			var list struct {
				Items []deadline `json:"items"`
			}
			inspector := actor{s: s, token: s.token("inspector", county, "督查-01"), seen: &seen}
			inspector.get("/v1/deadlines?jurisdiction="+county+"&limit=500", &list)
			for _, d := range list.Items {
				want = append(want, d.Kind+" "+d.SubjectID)
			}
			require.GreaterOrEqual(t, len(want), 6, "several obligations: %v", want)

			type delivery struct {
				EventID  string `json:"event_id"`
				Kind     string `json:"kind"`
				Attempts int    `json:"attempts"`
				Status   string `json:"status"`
			}
			var items []delivery
			assert.Eventually(t, func() bool {
				var list struct {
					Items []delivery `json:"items"`
				}
				res := s.do(request{method: http.MethodGet, path: "/v1/webhooks/" + hook.ID + "/deliveries", token: admin.token})
				if res.status != http.StatusOK {
					return false
				}
				res.json(t, &list)
				items = list.Items
				if len(items) < len(want) {
					return false
				}
				for _, it := range items {
					if it.Status != "delivered" {
						return false
					}
				}
				return true
			}, 90*time.Second, 100*time.Millisecond, "every delivery arrives after the restart")
			if t.Failed() {
				rc.mu.Lock()
				t.Fatalf("obligations %v; deliveries %+v; received %d", want, items, len(rc.bodies))
			}

			rc.mu.Lock()
			defer rc.mu.Unlock()
			// Refused twice, the same first delivery: before the kill and
			// after the start.
			var refused []string
			for _, b := range rc.bodies {
				if !b.ok {
					refused = append(refused, b.id)
				}
			}
			require.GreaterOrEqual(t, len(refused), 2, "refused before the kill and after the start")
			for _, id := range refused {
				assert.Equal(t, first, id, "only the first delivery was ever refused: nothing overtook it")
			}
			require.NotEmpty(t, rc.accepted)
			assert.Equal(t, first, rc.accepted[0], "the refused delivery comes first after the restart")
			assert.GreaterOrEqual(t, items[len(items)-1].Attempts, 2, "its history counts its attempts")

			// No loss, nothing twice: one accepted delivery per obligation.
			once := map[string]int{}
			var got []string
			var seqs []int64
			for _, b := range rc.bodies {
				if !b.ok {
					continue
				}
				once[b.id]++
				var p struct {
					Kind     string   `json:"kind"`
					Deadline deadline `json:"deadline"`
				}
				require.NoError(t, json.Unmarshal(b.raw, &p))
				assert.Equal(t, "obligation.opened", p.Kind)
				got = append(got, p.Deadline.Kind+" "+p.Deadline.SubjectID)
				seqs = append(seqs, feedSeq(t, b.id))
			}
			for id, n := range once {
				assert.Equal(t, 1, n, "delivery %s accepted once", id)
			}
			assert.ElementsMatch(t, want, got, "one delivery per obligation of the county")
			assert.Len(t, items, len(rc.accepted), "the history holds every delivery")
			// In order: as the history lists them (newest first), and as
			// the obligations became known (the feed's sequence in the id).
			for i := range rc.accepted {
				assert.Equal(t, items[len(items)-1-i].EventID, rc.accepted[i], "in order")
			}
			assert.True(t, slices.IsSorted(seqs), "in the order the obligations became known: %v", seqs)
			assert.Len(t, slices.Compact(slices.Clone(seqs)), len(seqs), "each obligation once: %v", seqs)
			// Every attempt, refused or accepted, is signed under the secret.
			for _, body := range rc.bodies {
				assert.True(t, signedWith(hook.Secret, body.sig, body.raw), "signed: %s", body.sig)
				assert.NotContains(t, string(body.raw), "刘小燕", "no personal data")
				assert.NotContains(t, string(body.raw), "王小军", "no personal data")
			}
		})
	}
}

// feedSeq is the obligation's place in the feed, read from a delivery's
// id (deadlines.FeedCursor: base64url of its JSON, "s" the sequence in
// which obligations became known).
func feedSeq(t *testing.T, id string) int64 {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(id)
	require.NoError(t, err, id)
	var c struct {
		S int64 `json:"s"`
	}
	require.NoError(t, json.Unmarshal(raw, &c), string(raw))
	require.Positive(t, c.S, string(raw))
	return c.S
}

func signedWith(secret, header string, body []byte) bool {
	ts, sig, ok := strings.Cut(header, ",v1=")
	ts, ok2 := strings.CutPrefix(ts, "t=")
	if !ok || !ok2 {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig))
}
