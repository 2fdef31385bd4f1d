package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/kurrent/kurrenttest"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// binary is the careledger binary TestMain builds once (with the race
// detector when CARELEDGER_TEST_SERVER_RACE is set).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "careledger-component-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "careledger")
	args := []string{"build", "-o", binary}
	if os.Getenv("CARELEDGER_TEST_SERVER_RACE") != "" {
		// The server with the race detector: thorough, but modernc SQLite
		// under checkptr makes it several times slower.
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "../cmd/careledger")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "tests: build careledger:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// backend is where a server keeps its store: SQLite in the data directory,
// or a PostgreSQL database of the test's own, or (kurrentBackend) a
// KurrentDB log.
type backend struct {
	name     string
	postgres func(t *testing.T) string   // "" for SQLite
	kurrent  func(t *testing.T) []string // nil, or the flags naming a KurrentDB log
}

var backends = []backend{
	{name: "sqlite", postgres: func(*testing.T) string { return "" }},
	{name: "postgres", postgres: func(t *testing.T) string { return pgtest.NewDatabase(t) }},
}

// kurrentBackend keeps the log in KurrentDB: the in-process test double
// (kurrenttest), started by the test and given to the real binary as
// --kurrent esdb://127.0.0.1:PORT?tls=false, or the real server
// CARELEDGER_TEST_KURRENT names, in a namespace of the test's own there.
// The read models are in SQLite in the data directory. Only the tests that
// say so run on it.
var kurrentBackend = backend{
	name:     "kurrent",
	postgres: func(*testing.T) string { return "" },
	kurrent: func(t *testing.T) []string {
		if url := os.Getenv("CARELEDGER_TEST_KURRENT"); url != "" {
			return []string{"--kurrent", url, "--kurrent-namespace", "story" + strconv.FormatInt(time.Now().UnixNano(), 36)}
		}
		double := kurrenttest.New(t)
		t.Cleanup(func() {
			// Registered after the double's Stop, so it runs before it.
			logged := 0
			for _, r := range double.Records() {
				if !strings.HasPrefix(r.Stream, "$") && r.Stream != "careledger-chain" {
					logged++
				}
			}
			assert.Positive(t, logged, "the server kept its log in KurrentDB")
		})
		return []string{"--kurrent", double.URL()}
	},
}

// childEnv is the environment of a careledger process: the test's own,
// without any CARELEDGER_ setting that would point it elsewhere.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CARELEDGER_") {
			env = append(env, kv)
		}
	}
	return env
}

// syncBuffer collects a process's stderr.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running 'careledger serve'.
type server struct {
	t        *testing.T
	data     string   // data directory (the SQLite store, the keys)
	postgres string   // PostgreSQL URL, or ""
	kurrent  []string // the flags naming a KurrentDB log, or none
	base     string   // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	exited   chan error
	log      *syncBuffer
	starts   int
}

// startServer starts the real binary on a loopback port for the backend,
// with a fresh data directory (and a fresh database on PostgreSQL). The
// process is killed when the test ends; its stderr goes to the test log
// if the test failed (or CARELEDGER_TEST_SERVER_LOG is set).
func startServer(t *testing.T, b backend) *server {
	t.Helper()
	s := &server{t: t, data: t.TempDir(), postgres: b.postgres(t), log: &syncBuffer{}}
	if b.kurrent != nil {
		s.kurrent = b.kurrent(t)
	}
	s.start()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() || os.Getenv("CARELEDGER_TEST_SERVER_LOG") != "" {
			t.Logf("careledger serve stderr:\n%s", s.log.String())
		}
	})
	return s
}

// storeArgs are the flags naming the server's store.
func (s *server) storeArgs() []string {
	args := []string{"--data", s.data}
	if s.postgres != "" {
		args = append(args, "--postgres", s.postgres)
	}
	args = append(args, s.kurrent...)
	return args
}

// start runs 'careledger serve' and waits for the address it prints.
func (s *server) start() {
	t := s.t
	t.Helper()
	s.starts++
	fmt.Fprintf(s.log, "--- start %d\n", s.starts)
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, s.storeArgs()...)...)
	cmd.Env = childEnv()
	cmd.Stderr = s.log
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s.cmd = cmd
	addr := listening(stdout)
	s.exited = make(chan error, 1)
	go func() { s.exited <- cmd.Wait() }()
	select {
	case s.base = <-addr:
	case err := <-s.exited:
		s.exited <- err
		t.Fatalf("careledger serve exited before listening: %v\n%s", err, s.log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("careledger serve printed no address within 30 s\n%s", s.log.String())
	}
	// Ready: the store is reachable and the read models have caught up.
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("careledger serve not ready within 20 s (last: %v)\n%s", err, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listening reads a starting server's stdout and gives the address it
// prints it listens on (once), reading on until the stream ends.
func listening(stdout io.Reader) <-chan string {
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "careledger listening on "); ok {
				select {
				case addr <- a:
				default:
				}
			}
		}
	}()
	return addr
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	t := s.t
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-s.exited:
		require.NoError(t, err, "careledger serve exits cleanly on SIGTERM")
		s.exited <- err
	case <-time.After(20 * time.Second):
		t.Fatalf("careledger serve did not stop within 20 s of SIGTERM")
	}
}

// restart stops the server and starts it again on the same store.
func (s *server) restart() {
	s.t.Helper()
	s.stop()
	s.start()
}

// kill ends the process if it still runs.
func (s *server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case err := <-s.exited:
		s.exited <- err
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
}

// token runs 'careledger token issue' for the server's store and returns
// the token it prints.
func (s *server) token(role, jurisdiction, subject string, extra ...string) string {
	t := s.t
	t.Helper()
	tok, err := s.tryToken(role, jurisdiction, subject, extra...)
	require.NoError(t, err)
	return tok
}

// tryToken is token that reports the command's failure.
func (s *server) tryToken(role, jurisdiction, subject string, extra ...string) (string, error) {
	args := append([]string{"token", "issue", "--role", role, "--jurisdiction", jurisdiction, "--subject", subject}, s.storeArgs()...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append(args, extra...)...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("token issue %s %s: %w: %s", role, subject, err, stderr.String())
	}
	tok := strings.TrimSpace(stdout.String())
	if tok == "" || strings.ContainsAny(tok, " \n") {
		return "", fmt.Errorf("token issue printed %q, not a token alone", stdout.String())
	}
	return tok, nil
}

// answer is an HTTP response, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v.
func (a answer) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(a.body, v), "body: %s", a.body)
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.status, a.body) }

// request is one call to the API.
type request struct {
	method, path string
	token        string
	body         any // marshalled as JSON; a []byte is sent as is
	header       map[string]string
}

var client = &http.Client{Timeout: 15 * time.Second}

// do sends a request to the server.
func (s *server) do(r request) answer {
	t := s.t
	t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(r.method, s.base+r.path, body)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	require.NoError(t, err, "%s %s", r.method, r.path)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return answer{status: res.StatusCode, header: res.Header, body: raw}
}

// commandAnswer is what every command answers (API.md).
type commandAnswer struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	Events  []struct {
		Type           string `json:"type"`
		GlobalPosition int64  `json:"global_position"`
	} `json:"events"`
	ReferralID string `json:"referral_id"`
}

// last is the global position of the answer's last event.
func (c commandAnswer) last() int64 {
	if len(c.Events) == 0 {
		return 0
	}
	return c.Events[len(c.Events)-1].GlobalPosition
}

// actor is one person using the API with a token; it remembers the
// position of the last write it saw, to read its own writes.
type actor struct {
	s     *server
	token string
	seen  *int64 // shared by every actor of a story
}

// command posts a command, requires the status wanted, checks the answer's
// shape and ETag, and returns it.
func (a actor) command(method, path string, body any, want int, header ...map[string]string) commandAnswer {
	t := a.s.t
	t.Helper()
	r := request{method: method, path: path, token: a.token, body: body}
	if len(header) > 0 {
		r.header = header[0]
	}
	res := a.s.do(r)
	require.Equal(t, want, res.status, "%s %s: %s", method, path, res.body)
	var c commandAnswer
	res.json(t, &c)
	require.NotEmpty(t, c.ID, "the answer names the resource")
	require.NotEmpty(t, c.Events, "a command records at least one event")
	require.Equal(t, `"`+strconv.FormatInt(c.Version, 10)+`"`, res.header.Get("ETag"), "ETag is the version")
	for i, e := range c.Events {
		require.NotEmpty(t, e.Type)
		require.Positive(t, e.GlobalPosition)
		if i > 0 {
			require.Greater(t, e.GlobalPosition, c.Events[i-1].GlobalPosition)
		}
	}
	if c.last() > *a.seen {
		*a.seen = c.last()
	}
	return c
}

// post is command with POST and 200.
func (a actor) post(path string, body any) commandAnswer {
	a.s.t.Helper()
	return a.command(http.MethodPost, path, body, http.StatusOK)
}

// get reads path after the read models have caught up with every write
// of the story (min_position), requiring 200.
func (a actor) get(path string, v any) answer {
	t := a.s.t
	t.Helper()
	res := a.try(path)
	require.Equal(t, http.StatusOK, res.status, "GET %s: %s", path, res.body)
	if v != nil {
		res.json(t, v)
	}
	return res
}

// try reads path with min_position, whatever the status.
func (a actor) try(path string) answer {
	a.s.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return a.s.do(request{method: http.MethodGet, path: path + sep + "min_position=" + strconv.FormatInt(*a.seen, 10), token: a.token})
}

// problem is an RFC 9457 problem detail.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// refused sends a request that must fail with status and returns the
// problem it answers.
func (s *server) refused(r request, status int) problem {
	t := s.t
	t.Helper()
	res := s.do(r)
	require.Equal(t, status, res.status, "%s %s: %s", r.method, r.path, res.body)
	require.Contains(t, res.header.Get("Content-Type"), "application/problem+json", "%s %s", r.method, r.path)
	var p problem
	res.json(t, &p)
	require.Equal(t, status, p.Status)
	require.NotEmpty(t, p.Type)
	require.NotEmpty(t, p.Title)
	return p
}

// fields lists the fields a problem names.
func (p problem) fields() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// isEvent reports whether an event type as the API spells it names the
// event API.md calls name (ReportReceived may be spelled
// case.report_received).
func isEvent(typ, name string) bool {
	norm := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			if r >= 'a' && r <= 'z' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	return norm(name) != "" && strings.HasSuffix(norm(typ), norm(name))
}
