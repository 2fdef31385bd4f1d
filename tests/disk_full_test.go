package tests

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/dberr/fulldisktest"
)

// storageFull is the problem type of a full disk.
const storageFull = "urn:careledger:problem:storage-full"

// TestFullDisk (#14, finding 11): the file system under the store runs out
// of space while directors register children, four at a time. Every command
// the store cannot take answers 503 with the storage-full problem and a
// Retry-After; reads are still served; nothing acknowledged is lost and
// nothing refused is half-written (the log verifies and holds exactly the
// events acknowledged). Once space returns the same server — no restart —
// records commands again, a command refused while full goes through with
// its Idempotency-Key, and the read models and the access log catch up.
//
// SQLite: the data directory is a small tmpfs the test mounts. PostgreSQL:
// its main disk cannot be filled safely, so the test database's tables live
// in a tablespace on a small tmpfs (the WAL stays on the big disk), where
// extending a table fails with 53100 disk_full.
func TestFullDisk(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			var s *server
			var fs *fulldisktest.FS
			if b.name == "sqlite" {
				fs = fulldisktest.Mount(t, 32<<20, nil)
				s = startServerOn(t, fs.Dir, "")
			} else {
				var url string
				url, fs = fulldisktest.PostgresDatabase(t, 16<<20)
				s = startServerOn(t, t.TempDir(), url)
			}
			fullDisk(t, s, fs)
		})
	}
}

func fullDisk(t *testing.T, s *server, fs *fulldisktest.FS) {
	p := setUp(t, s)
	t.Log("a child registered before the disk fills, and read")
	before := p.director.command(http.MethodPost, "/v1/children", childBody(0), http.StatusCreated)
	p.director.get("/v1/children/"+before.ID, nil)
	logged := len(accessLog(t, p, before.ID))
	require.Positive(t, logged, "the read is in the access log")
	start := checked(t, p.inspector)

	t.Log("the file system fills while four directors register children")
	fs.Fill(t, 256<<10)
	var (
		mu       sync.Mutex
		acked    []commandAnswer
		refusals []answer
		wg       sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				res, err := s.send(http.MethodPost, "/v1/children", p.director.token, childBody(1000*(w+1)+i), nil)
				mu.Lock()
				switch {
				case err != nil:
					refusals = append(refusals, answer{status: -1, body: []byte(err.Error())})
				case res.status == http.StatusCreated:
					var c commandAnswer
					if json.Unmarshal(res.body, &c) == nil {
						acked = append(acked, c)
					} else {
						refusals = append(refusals, res)
					}
				default:
					refusals = append(refusals, res)
				}
				stop := err != nil || res.status != http.StatusCreated
				mu.Unlock()
				if stop {
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d registrations acknowledged, %d refused", len(acked), len(refusals))
	require.NotEmpty(t, refusals, "the disk filled up")
	for _, r := range refusals {
		requireStorageFull(t, r)
	}

	t.Log("while the disk is full: a command is refused, reads are served, the log is whole")
	fs.Fill(t, 0) // what space is left (a failed batch may leave some) goes too
	// Twice the size of those refused, so that no room they left (SQLite
	// reuses the WAL frames of a transaction that failed) can take it.
	retried := childBody(99)
	retried["living_situation"] = strings.Repeat(retried["living_situation"].(string), 2)
	key := map[string]string{"Idempotency-Key": "registered-once-space-returns"}
	res, err := s.send(http.MethodPost, "/v1/children", p.director.token, retried, key)
	require.NoError(t, err)
	requireStorageFull(t, res)
	p.director.get("/v1/children/"+before.ID, nil) // served; its access-log entry waits for space
	ackedEvents := int64(0)
	for _, c := range acked {
		ackedEvents += int64(len(c.Events))
		if c.last() > *p.director.seen {
			*p.director.seen = c.last()
		}
	}
	v := verify(t, p.inspector)
	assert.True(t, v.OK, "the log verifies: nothing half-written")
	assert.Equal(t, start+ackedEvents, v.Checked, "the log holds exactly the events acknowledged")

	t.Log("space returns: the same server records again, without a restart")
	fs.Free(t)
	again := p.director.command(http.MethodPost, "/v1/children", retried, http.StatusCreated, key)
	same := p.director.command(http.MethodPost, "/v1/children", retried, http.StatusCreated, key)
	assert.Equal(t, again, same, "the retried command was recorded once")
	v = verify(t, p.inspector)
	assert.True(t, v.OK)
	assert.Equal(t, start+ackedEvents+int64(len(again.Events)), v.Checked, "the refused attempt left nothing behind")

	t.Log("the read models catch up: every acknowledged child can be read")
	for _, c := range append(acked, again) {
		var f childFile
		readCaughtUp(t, p.director, "/v1/children/"+c.ID).json(t, &f)
		assert.Equal(t, c.ID, f.ID)
		assert.NotNil(t, f.Name, "the child's name opens: its data key was stored")
	}
	assert.Len(t, accessLog(t, p, before.ID), logged+1, "the read served while the disk was full is in the access log")
	deadline := time.Now().Add(30 * time.Second)
	for {
		ready, err := http.Get(s.base + "/readyz")
		if err == nil {
			ready.Body.Close()
			if ready.StatusCode == http.StatusOK {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "ready again within 30 s of space returning (last: %v)", err)
		time.Sleep(100 * time.Millisecond)
	}
}

// verify asks the server to verify its log now (GET /v1/integrity reads
// the store, not the read models: no min_position).
func verify(t *testing.T, a actor) integrity {
	t.Helper()
	res := a.s.do(request{method: http.MethodGet, path: "/v1/integrity", token: a.token})
	require.Equal(t, http.StatusOK, res.status, "GET /v1/integrity: %s", res)
	var v integrity
	res.json(t, &v)
	return v
}

// requireStorageFull checks an answer is the full disk's problem.
func requireStorageFull(t *testing.T, res answer) {
	t.Helper()
	require.Equal(t, http.StatusServiceUnavailable, res.status, "a full disk answers 503: %s", res)
	assert.Contains(t, res.header.Get("Content-Type"), "application/problem+json")
	assert.NotEmpty(t, res.header.Get("Retry-After"), "a 503 says when to retry")
	var pr problem
	res.json(t, &pr)
	assert.Equal(t, storageFull, pr.Type, "%s", res)
	assert.Equal(t, http.StatusServiceUnavailable, pr.Status)
	assert.Contains(t, pr.Detail, "nothing was recorded", "the problem says the command did not happen")
}

// readCaughtUp reads path with the actor's min_position, retrying while
// the read models are still catching up (503), and requires 200.
func readCaughtUp(t *testing.T, a actor, path string) answer {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res := a.try(path)
		if res.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			require.Equal(t, http.StatusOK, res.status, "GET %s: %s", path, res)
			return res
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// accessLog is what the inspector sees of a child's reads.
func accessLog(t *testing.T, p people, childID string) []json.RawMessage {
	t.Helper()
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	p.inspector.get("/v1/access-log?child_id="+childID, &list)
	return list.Items
}

// childBody is a child's file, most of it personal (sealed, so that it
// takes its full size on disk): 2 000 characters of living situation.
func childBody(i int) map[string]any {
	return map[string]any{
		"name": "测试儿童" + strconv.Itoa(i), "birth_date": "2015-03-02", "sex": "female", "jurisdiction": village,
		"categories": []string{"left_behind"}, "key_child_flags": []string{},
		"guardian":         map[string]any{"name": "王大山", "relation": "father", "phone": "13800000001"},
		"living_situation": strings.Repeat("父母在外务工，与祖母同住，祖母年迈多病。", 100), "schooling": "在校，四年级", "hukou_registered": true,
	}
}

// send is do for goroutines other than the test's: it reports errors
// instead of failing the test.
func (s *server) send(method, path, token string, body any, header map[string]string) (answer, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return answer{}, err
	}
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(raw))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: out}, err
}

// startServerOn is startServer on a given data directory and database.
func startServerOn(t *testing.T, data, postgres string) *server {
	t.Helper()
	s := &server{t: t, data: data, postgres: postgres, log: &syncBuffer{}}
	s.start()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() || os.Getenv("CARELEDGER_TEST_SERVER_LOG") != "" {
			t.Logf("careledger serve stderr:\n%s", s.log.String())
		}
	})
	return s
}
