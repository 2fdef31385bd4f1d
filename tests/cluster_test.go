package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// TestServersStartTogetherOnAFreshDatabase: three 'careledger serve'
// processes started at the same moment on one fresh PostgreSQL database
// (#16: two runs of three crashed, "duplicate key value violates unique
// constraint pg_type_typname_nsp_index", from the key service's and the
// access log's CREATE TABLE IF NOT EXISTS) all come up and answer, round
// after round.
func TestServersStartTogetherOnAFreshDatabase(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			url := pgtest.NewDatabase(t)
			// One data directory: the nodes share the master, seal and token
			// keys (made here, before any node starts, in the directory's
			// own SQLite file, which the nodes do not use).
			data := newCluster(t, url).data

			const nodes = 3
			errs := make([]error, nodes)
			logs := make([]*syncBuffer, nodes)
			var wg sync.WaitGroup
			for i := range nodes {
				logs[i] = &syncBuffer{}
				wg.Go(func() { _, errs[i] = startNode(t, data, url, logs[i]) })
			}
			wg.Wait()
			for i, err := range errs {
				assert.NoError(t, err, "node %d:\n%s", i, logs[i].String())
			}
		})
	}
}

// startNode starts 'careledger serve' on the store and waits until it is
// ready; the process is killed when the test ends. It gives the node's
// base URL.
func startNode(t *testing.T, data, postgres string, log *syncBuffer) (string, error) {
	var cmd *exec.Cmd
	return startNodeCmd(t, data, postgres, log, &cmd)
}

// startNodeCmd is startNode, giving the process in *out; extra are more
// flags of serve.
func startNodeCmd(t *testing.T, data, postgres string, log *syncBuffer, out **exec.Cmd, extra ...string) (string, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, extra...)
	if postgres != "" {
		args = append(args, "--postgres", postgres)
	}
	cmd := exec.Command(binary, args...)
	*out = cmd
	cmd.Env = childEnv()
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	addr := listening(stdout)
	var base string
	select {
	case base = <-addr:
	case err := <-exited:
		exited <- err
		return "", fmt.Errorf("exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		return "", fmt.Errorf("no address within 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, nil
			}
		}
		select {
		case err := <-exited:
			exited <- err
			return "", fmt.Errorf("exited before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("not ready within 30 s (last: %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestIdenticalRequestsAtOnceOnTwoNodes: a client that retries while its
// first request is still running sends the same Idempotency-Key and body
// twice at the same moment, to two servers on one database or twice to one
// (#16: 200 and 422 "idempotency key reused with another request" in 9 of
// 10 pairs). Both copies get the original answer. On SQLite, one server
// takes both copies.
func TestIdenticalRequestsAtOnceOnTwoNodes(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			identicalRequestsAtOnce(t, b.postgres(t))
		})
	}
}

func identicalRequestsAtOnce(t *testing.T, url string) {
	c := newCluster(t, url)
	nodes := 2
	if url == "" {
		nodes = 1
	}
	bases := make([]string, 2)
	for i := range nodes {
		bases[i] = c.start().base
	}
	token := c.token("caseworker", "370902", "two-nodes")
	for pair := range 10 {
		targets := [2]string{bases[0], bases[1]}
		if pair%2 == 1 || nodes == 1 {
			targets[1] = bases[0] // both to one node
		}
		key := fmt.Sprintf("retry-%d", pair)
		body := fmt.Sprintf(`{"child": {"name": "测试儿童%d", "birth_date": "2016-05-0%d", "sex": "female",
			"jurisdiction": "370902001001", "categories": ["left_behind"], "key_child_flags": [],
			"guardian": {"name": "测试监护人", "relation": "祖母", "phone": "13800000000"},
			"living_situation": "与祖母同住", "schooling": "小学", "hukou_registered": true},
			"source": "walk_in", "reporter": {"type": "neighbour"}, "concerns": ["dropout"], "risk": "low",
			"received_at": "2026-01-02T03:04:05Z", "summary": "邻居反映儿童辍学在家"}`, pair, 1+pair%9)
		var statuses [2]int
		var answers [2][]byte
		var errs [2]error
		var wg sync.WaitGroup
		for i := range targets {
			wg.Go(func() {
				statuses[i], answers[i], errs[i] = try(http.MethodPost, targets[i], "/v1/cases", token, body, map[string]string{"Idempotency-Key": key})
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs[:]...))
		assert.Equal(t, http.StatusCreated, statuses[0], "pair %d: %s", pair, answers[0])
		assert.Equal(t, statuses[0], statuses[1], "pair %d: %s", pair, answers[1])
		assert.JSONEq(t, string(answers[0]), string(answers[1]), "pair %d", pair)
	}
}

// TestErasureHoldsOnEveryNodeAtOnce: a closed case's raw events are read
// through node 2 (which then keeps the child's data key), the child's data
// is erased through node 1, and the very next read through node 2 no
// longer opens the report's summary (#16: it was still in clear there 2 s
// later). The child's file, folded from its stream, has lost the name too.
func TestErasureHoldsOnEveryNodeAtOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t, pgtest.NewDatabase(t))
	admin := c.token("admin", "all", "admin")
	bases := [2]string{c.start().base, c.start().base}
	caseworker := c.token("caseworker", "370902", "erasure-caseworker")
	call := func(method, base, path, token string, body any) (int, string) {
		status, out := c.send(method, base, path, token, body)
		return status, string(out)
	}
	for round := range 4 {
		summary := fmt.Sprintf("邻居反映儿童辍学在家，第%d次", round)
		child := childBody(round)
		child["jurisdiction"] = "370902001001"
		status, out := call(http.MethodPost, bases[0], "/v1/cases", caseworker, map[string]any{
			"child": child, "source": "walk_in", "reporter": map[string]any{"type": "neighbour"}, "concerns": []string{"dropout"},
			"risk": "low", "received_at": "2026-01-02T03:04:05Z", "summary": summary})
		require.Equal(t, http.StatusCreated, status, out)
		var opened struct {
			ID      string `json:"id"`
			ChildID string `json:"child_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &opened))
		status, out = call(http.MethodPost, bases[0], "/v1/cases/"+opened.ID+"/closure", caseworker,
			map[string]any{"occurred_at": "2026-01-03T03:04:05Z", "reason": "resolved"})
		require.Equal(t, http.StatusOK, status, out)

		events := "/v1/cases/" + opened.ID + "/events"
		status, out = call(http.MethodGet, bases[1], events, caseworker, nil)
		require.Equal(t, http.StatusOK, status, out)
		require.Contains(t, out, summary, "node 2 opens the summary")

		status, out = call(http.MethodPost, bases[0], "/v1/children/"+opened.ChildID+"/erasure", admin, map[string]any{"reason": "监护人申请删除"})
		require.Equal(t, http.StatusOK, status, out)
		status, out = call(http.MethodGet, bases[1], events, caseworker, nil)
		require.Equal(t, http.StatusOK, status, out)
		assert.NotContains(t, out, summary, "round %d: node 2 no longer opens the erased summary", round)
		status, out = call(http.MethodGet, bases[1], "/v1/children/"+opened.ChildID, caseworker, nil)
		require.Equal(t, http.StatusOK, status, out)
		assert.NotContains(t, out, "测试儿童", "round %d: nor the child's name", round)
	}
}

// TestProjectionLeaseMovesWhenItsHolderDies: of two servers on one
// PostgreSQL, the first holds the projections' lease and the second
// stands by (/readyz says which), yet a write through either is read
// through the other with min_position. The holder is killed (SIGKILL):
// the other takes the lease within leaseBound and applies what is written
// next.
func TestProjectionLeaseMovesWhenItsHolderDies(t *testing.T) {
	t.Parallel()
	const leaseBound = 10 * time.Second
	c := newCluster(t, pgtest.NewDatabase(t))
	nodes := [2]*node{c.start(), c.start()}
	token := c.token("caseworker", "370902", "lease")
	role := func(n *node) string {
		res, err := http.Get(n.base + "/readyz")
		if err != nil {
			return "unreachable"
		}
		defer res.Body.Close()
		var r struct {
			Role string `json:"projections_role"`
		}
		_ = json.NewDecoder(res.Body).Decode(&r)
		return r.Role
	}
	assert.Equal(t, "owner", role(nodes[0]))
	assert.Equal(t, "standby", role(nodes[1]))

	// A child registered through one node, read through the other.
	c.registerAndRead(nodes[1].base, nodes[0].base, token, 1)
	c.registerAndRead(nodes[0].base, nodes[1].base, token, 2)

	require.NoError(t, nodes[0].cmd.Process.Kill())
	killed := time.Now()
	require.Eventually(t, func() bool { return role(nodes[1]) == "owner" }, leaseBound, 50*time.Millisecond,
		"the standby takes the lease")
	t.Logf("lease moved %s after the kill", time.Since(killed).Round(10*time.Millisecond))
	c.registerAndRead(nodes[1].base, nodes[1].base, token, 3)
}

// node is a running server of a cluster test.
type node struct {
	base string
	cmd  *exec.Cmd
}

// startClusterNode is startNode keeping the process, to kill it.
func startClusterNode(t *testing.T, data, postgres string, extra ...string) (*node, error) {
	log := &syncBuffer{}
	n := &node{}
	var err error
	n.base, err = startNodeCmd(t, data, postgres, log, &n.cmd, extra...)
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, log.String())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("node %s:\n%s", n.base, log.String())
		}
	})
	return n, nil
}

// TestKillingServersUnderLoadLosesNothing: three servers on one PostgreSQL, a
// client spreading new cases over them; each round one server (the
// projection owner among them) is killed with SIGKILL mid-load and started
// again. Every case a server acknowledged is in the log, read through
// another server; the chain verifies; the read models have every case.
func TestKillingServersUnderLoadLosesNothing(t *testing.T) {
	t.Parallel()
	c := newCluster(t, pgtest.NewDatabase(t))
	url, data := c.url, c.data
	caseworker, inspector := c.token("caseworker", "370902", "load"), c.token("inspector", "all", "inspector")
	nodes := []*node{c.start(), c.start(), c.start()}
	var (
		mu    sync.Mutex
		acked []string // case ids acknowledged with 201
	)
	for round := range 3 {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					base := nodes[(w+i)%len(nodes)].base
					mu.Unlock()
					child := childBody(round*100000 + w*10000 + i)
					child["jurisdiction"] = "370902001001"
					body, _ := json.Marshal(map[string]any{"child": child, "source": "walk_in", "reporter": map[string]any{"type": "neighbour"},
						"concerns": []string{"dropout"}, "risk": "low", "received_at": "2026-01-02T03:04:05Z", "summary": "邻居反映儿童辍学在家"})
					status, out, err := try(http.MethodPost, base, "/v1/cases", caseworker, body, nil)
					if err != nil || status != http.StatusCreated {
						continue // the killed server's requests fail; nothing acknowledged
					}
					var c struct {
						ID string `json:"id"`
					}
					if json.Unmarshal(out, &c) == nil {
						mu.Lock()
						acked = append(acked, c.ID)
						mu.Unlock()
					}
				}
			})
		}
		time.Sleep(700 * time.Millisecond)
		victim := round % len(nodes) // round 0 kills the projection owner
		require.NoError(t, nodes[victim].cmd.Process.Kill())
		time.Sleep(700 * time.Millisecond)
		close(stop)
		wg.Wait()
		restarted := c.start()
		mu.Lock()
		nodes[victim] = restarted
		mu.Unlock()
	}
	require.NotEmpty(t, acked)
	t.Logf("%d cases acknowledged over three kills", len(acked))
	reader := nodes[0].base
	for _, id := range acked {
		status, out, err := try(http.MethodGet, reader, "/v1/cases/"+id+"/events", caseworker, nil, nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status, "acknowledged case %s: %s", id, out)
	}
	status, out, err := try(http.MethodGet, reader, "/v1/integrity", inspector, nil, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "%s", out)
	var integrity struct {
		OK bool `json:"ok"`
	}
	require.NoError(t, json.Unmarshal(out, &integrity))
	assert.True(t, integrity.OK, "the chain verifies: %s", out)
	// The case view holds every acknowledged case once the owner catches up.
	for _, id := range acked {
		require.Eventually(t, func() bool {
			status, _, err := try(http.MethodGet, reader, "/v1/cases/"+id, caseworker, nil, nil)
			return err == nil && status == http.StatusOK
		}, 20*time.Second, 50*time.Millisecond, "case %s in the case view", id)
	}
	// And the read models that know no clock are what a rebuild from the
	// log makes of it, row for row.
	digest := func() string {
		var all []string
		for _, q := range []string{
			`SELECT count(*) || ':' || md5(string_agg(c::text, '|' ORDER BY case_id)) FROM rm_cases c`,
			`SELECT count(*) || ':' || md5(string_agg(c::text, '|' ORDER BY child_id)) FROM rm_children c`,
			`SELECT count(*) || ':' || md5(string_agg(c::text, '|' ORDER BY area, assignee)) FROM rm_caseload c`,
			`SELECT count(*) FROM rm_timeline`,
		} {
			out, err := exec.Command("psql", url, "-Atqc", q).Output()
			require.NoError(t, err, q)
			all = append(all, strings.TrimSpace(string(out)))
		}
		return strings.Join(all, " ")
	}
	live := digest()
	out, err = exec.Command(binary, "projections", "rebuild", "--data", data, "--postgres", url, "cases", "children", "timeline").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, live, digest(), "the read models equal a rebuild")
}

// TestQueriesFromAStandby: a server started with --postgres-read reads its
// queries' read models from a hot standby (made here with pg_basebackup)
// and applies no projections; a write through either server is read
// through it with min_position, which waits for the standby to replay the
// write. Once the standby is stopped its queries fail while its commands,
// on the primary, go on: the reads did come from the standby.
func TestQueriesFromAStandby(t *testing.T) {
	t.Parallel()
	c := newCluster(t, pgtest.NewDatabase(t))
	owner := c.start()
	replicaURL, stopStandby := standby(t, c.url)
	reader := c.start("--postgres-read", replicaURL)
	token := c.token("caseworker", "370902", "standby")
	send := func(method, base, path string, body any) (int, []byte) {
		return c.send(method, base, path, token, body)
	}
	res, err := http.Get(reader.base + "/readyz")
	require.NoError(t, err)
	ready, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Contains(t, string(ready), `"projections_role":"replica"`)

	for i, writer := range []*node{owner, reader, owner, reader} {
		file := c.registerAndRead(writer.base, reader.base, token, i)
		assert.Contains(t, string(file), fmt.Sprint("测试儿童", i), "write %d read through the standby", i)
	}

	stopStandby()
	status, b := send(http.MethodGet, reader.base, "/v1/children?jurisdiction=370902", nil)
	assert.NotEqual(t, http.StatusOK, status, "with the standby gone its queries fail: %s", b)
	status, b = send(http.MethodPost, reader.base, "/v1/children", childBody(9))
	assert.Equal(t, http.StatusCreated, status, "its commands go to the primary: %s", b)
}

// TestNotificationsResumeOnAnotherServer: a director's stream of
// notifications on one server tells her of an obligation; she reconnects
// to the other server with her last event id and is told what she owes
// since, nothing twice (the stream's cursor comes from the read models, not
// from a server's memory).
func TestNotificationsResumeOnAnotherServer(t *testing.T) {
	t.Parallel()
	c := newCluster(t, pgtest.NewDatabase(t))
	var servers [2]*server
	for i := range servers {
		servers[i] = &server{t: t, data: c.data, postgres: c.url, base: c.start().base, log: &syncBuffer{}}
	}
	var seen int64
	a, b := servers[0], servers[1]
	admin := actor{s: a, token: a.token("admin", "all", "admin"), seen: &seen}
	directorID := admin.command(http.MethodPost, "/v1/workers", map[string]any{"name": "孙桂英", "role": "child_director", "jurisdiction": village}, http.StatusCreated).ID
	admin.post("/v1/workers/"+directorID+"/training", map[string]any{"passed": true, "completed_on": time.Now().In(cst).AddDate(0, 0, -30).Format(time.DateOnly)})
	director := actor{s: a, token: a.token("child_director", village, directorID), seen: &seen}
	caseworker := actor{s: a, token: a.token("caseworker", county, "cw-1"), seen: &seen}
	childID := caseworker.command(http.MethodPost, "/v1/children", childBody(1), http.StatusCreated).ID
	visit := func() {
		director.post("/v1/children/"+childID+"/visits", map[string]any{
			"occurred_at": rfc(now().Add(-time.Minute)), "findings": "孩子独自在家", "concerns": []string{"living_alone"},
		})
	}

	events, stop := listen(t, b, director.token, "")
	visit()
	first := next(t, events)
	assert.Equal(t, "obligation.opened", first.kind)
	stop()

	visit()
	resumed, _ := listen(t, a, director.token, first.id)
	second := next(t, resumed)
	assert.Equal(t, "obligation.opened", second.kind)
	assert.NotEqual(t, first.data.Deadline.Key, second.data.Deadline.Key, "the new obligation; the first is not told again")
}

// cluster is servers on one store that share one data directory: the
// keys.
type cluster struct {
	t    *testing.T
	data string
	url  string // the PostgreSQL database; "" for SQLite
}

// newCluster makes the shared keys (by issuing a token on the data
// directory's own SQLite store, which servers on PostgreSQL do not use)
// before any server starts, so that servers started together agree on them.
func newCluster(t *testing.T, url string) *cluster {
	c := &cluster{t: t, data: t.TempDir(), url: url}
	out, err := exec.Command(binary, "token", "issue", "--role", "admin", "--jurisdiction", "all", "--subject", "admin", "--data", c.data).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return c
}

// token issues a token on the cluster's keys and store.
func (c *cluster) token(role, jurisdiction, subject string) string {
	args := []string{"token", "issue", "--role", role, "--jurisdiction", jurisdiction, "--subject", subject, "--data", c.data}
	if c.url != "" {
		args = append(args, "--postgres", c.url)
	}
	out, err := exec.Command(binary, args...).Output()
	require.NoError(c.t, err)
	return strings.TrimSpace(string(out))
}

// start starts one more server of the cluster, with more flags of serve.
func (c *cluster) start(extra ...string) *node {
	n, err := startClusterNode(c.t, c.data, c.url, extra...)
	require.NoError(c.t, err)
	return n
}

// send is try for the test's own goroutine: a request that cannot be sent
// fails the test.
func (c *cluster) send(method, base, path, token string, body any) (int, []byte) {
	status, out, err := try(method, base, path, token, body, nil)
	require.NoError(c.t, err)
	return status, out
}

// registerAndRead registers child i's file through one server and reads it
// through another with min_position (which waits until that server's read
// models hold the write); it gives the file as read.
func (c *cluster) registerAndRead(write, read, token string, i int) []byte {
	c.t.Helper()
	status, out := c.send(http.MethodPost, write, "/v1/children", token, childBody(i))
	require.Equal(c.t, http.StatusCreated, status, "%s", out)
	var created struct {
		ID     string `json:"id"`
		Events []struct {
			Position int64 `json:"global_position"`
		} `json:"events"`
	}
	require.NoError(c.t, json.Unmarshal(out, &created))
	// A server whose read models are not there within its wait answers 503
	// (API.md: retry): a standby replaying the whole cluster's WAL behind
	// other tests can take longer than that.
	path := fmt.Sprintf("/v1/children/%s?min_position=%d", created.ID, created.Events[0].Position)
	deadline := time.Now().Add(30 * time.Second)
	for status, out = c.send(http.MethodGet, read, path, token, nil); status == http.StatusServiceUnavailable && time.Now().Before(deadline); {
		status, out = c.send(http.MethodGet, read, path, token, nil)
	}
	require.Equal(c.t, http.StatusOK, status, "read through the other server: %s", out)
	return out
}

// clusterClient bounds every request of the cluster tests: a killed server
// must not hold a client for ever.
var clusterClient = &http.Client{Timeout: 10 * time.Second}

// try sends a request with a bearer token and reads the whole answer; body
// is sent as JSON (a string or []byte as it is), header adds headers. It
// fails no test: clients in goroutines of their own use it.
func try(method, base, path, token string, body any, header map[string]string) (int, []byte, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := clusterClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}
