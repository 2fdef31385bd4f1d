package tests

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections/readdb"
)

// hookReceiver is a webhook's other end: it refuses until told to accept,
// and keeps every request.
type hookReceiver struct {
	mu       sync.Mutex
	accept   bool
	refused  chan string // the id of each refused delivery
	bodies   []hookBody
	accepted []string
}

type hookBody struct {
	id, sig string
	raw     []byte
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var p struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &p)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bodies = append(h.bodies, hookBody{id: p.ID, sig: r.Header.Get("Careledger-Signature"), raw: raw})
	if !h.accept {
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

// TestWebhookAcrossSIGKILL: a receiver refuses the first attempt; the
// server is killed (SIGKILL) before the next; after a start the delivery
// still arrives, signed, once accepted, and the history tells it.
func TestWebhookAcrossSIGKILL(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, b)
			rc := &hookReceiver{refused: make(chan string, 1)}
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

			caseworker := actor{s: s, token: s.token("caseworker", county, "cw-1"), seen: &seen}
			caseworker.command(http.MethodPost, "/v1/children", map[string]any{
				"name": "刘小燕", "birth_date": "2016-05-09", "sex": "female", "jurisdiction": village,
				"categories": []string{"left_behind"}, "key_child_flags": []string{},
				"guardian":         map[string]any{"name": "刘建国", "relation": "father", "phone": "13800000002"},
				"living_situation": "与祖母同住", "schooling": "在校", "hukou_registered": true,
			}, http.StatusCreated)

			var first string
			select {
			case first = <-rc.refused:
			case <-time.After(30 * time.Second):
				t.Fatal("no delivery was attempted")
			}
			t.Log("SIGKILL between attempts, then a start")
			s.kill()
			rc.mu.Lock()
			rc.accept = true
			rc.mu.Unlock()
			s.start()

			var items []struct {
				EventID  string `json:"event_id"`
				Attempts int    `json:"attempts"`
				Status   string `json:"status"`
			}
			require.Eventually(t, func() bool {
				var list struct {
					Items []struct {
						EventID  string `json:"event_id"`
						Attempts int    `json:"attempts"`
						Status   string `json:"status"`
					} `json:"items"`
				}
				res := s.do(request{method: http.MethodGet, path: "/v1/webhooks/" + hook.ID + "/deliveries", token: admin.token})
				if res.status != http.StatusOK {
					return false
				}
				res.json(t, &list)
				items = list.Items
				if len(items) == 0 {
					return false
				}
				for _, it := range items {
					if it.Status != "delivered" {
						return false
					}
				}
				return true
			}, 60*time.Second, 100*time.Millisecond, "every delivery arrives after the restart")

			rc.mu.Lock()
			defer rc.mu.Unlock()
			require.NotEmpty(t, rc.accepted)
			assert.Equal(t, first, rc.accepted[0], "the refused delivery comes first after the restart")
			once := map[string]int{}
			for _, id := range rc.accepted {
				once[id]++
			}
			for id, n := range once {
				assert.Equal(t, 1, n, "delivery %s accepted once", id)
			}
			assert.Len(t, once, len(items), "every delivery is accepted")
			for i := range rc.accepted {
				assert.Equal(t, items[len(items)-1-i].EventID, rc.accepted[i], "in order")
			}
			for _, body := range rc.bodies {
				assert.True(t, signedWith(hook.Secret, body.sig, body.raw), "signed: %s", body.sig)
				assert.NotContains(t, string(body.raw), "刘小燕", "no personal data")
			}
		})
	}
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
