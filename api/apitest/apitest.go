// Package apitest starts the API on a loopback port over a real store
// (SQLite, and PostgreSQL when CARELEDGER_TEST_POSTGRES is set) for tests
// that speak HTTP to it.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog/personal"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
	"github.com/careledger/careledger/projections/record"
)

// Env is a running API over a fresh store.
type Env struct {
	URL    string
	Store  eventstore.Store // seals personal data, as serve's does
	Raw    eventstore.Store // the store underneath, as the database holds it
	Engine *engine.Engine
	Server *api.Server
	Tokens *api.Tokens
	DB     readdb.DB // the read models
	// State is the database of the data keys, the access log, token
	// revocations and webhook deliveries: on SQLite the log's file, as
	// serve keeps it; on PostgreSQL the same database as DB.
	State readdb.DB
	// SQLitePath (the log's file, with ReadModelsPath the read models') or
	// PostgresURL names the database the env runs on.
	SQLitePath, ReadModelsPath, PostgresURL string
	t                                       testing.TB
}

// Backends runs fn once per backend, each in a parallel subtest with its own
// fresh store and server.
func Backends(t *testing.T, fn func(t *testing.T, env *Env)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			fn(t, Start(t, kind))
		})
	}
}

// Start opens a store of the kind ("sqlite" or "postgres"), runs the
// projections and serves the API on a loopback port until the test ends.
// A postgres env skips (or fails, with CARELEDGER_REQUIRE_POSTGRES=1)
// without CARELEDGER_TEST_POSTGRES.
func Start(t testing.TB, kind string, opts ...commands.Option) *Env {
	return StartWith(t, kind, nil, opts...)
}

// StartWith is Start with the server's configuration changed by configure
// (nil: as Start).
func StartWith(t testing.TB, kind string, configure func(*api.Config), opts ...commands.Option) *Env {
	t.Helper()
	ctx := context.Background()
	var (
		store eventstore.Store
		env   = &Env{t: t}
	)
	opts2 := eventstore.Options{SealKey: []byte("apitest seal key")}
	switch kind {
	case "sqlite":
		// As serve keeps them: the log with what it cannot give back in
		// one file, the read models in another.
		dir := t.TempDir()
		path, views := filepath.Join(dir, "careledger.db"), filepath.Join(dir, "readmodels.db")
		s, err := sqlite.Open(ctx, path, opts2)
		if err != nil {
			t.Fatal(err)
		}
		state, err := readdb.OpenSQLiteRecords(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { state.Close() })
		db, err := readdb.OpenSQLite(views)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		store = s
		env.SQLitePath, env.ReadModelsPath = path, views
		env.start(s, readdb.DB{SQL: db, Dialect: readdb.SQLite}, readdb.DB{SQL: state, Dialect: readdb.SQLite}, configure, opts)
	case "postgres":
		env.PostgresURL = pgtest.NewDatabase(t)
		s, err := postgres.Open(ctx, env.PostgresURL, opts2)
		if err != nil {
			t.Fatal(err)
		}
		db := readdb.OpenPostgres(s.Pool())
		t.Cleanup(func() { db.Close() })
		store = s
		pg := readdb.DB{SQL: db, Dialect: readdb.Postgres}
		env.start(s, pg, pg, configure, opts)
	default:
		t.Fatalf("apitest: unknown backend %q", kind)
	}
	t.Cleanup(func() { store.Close() })
	return env
}

func (env *Env) start(inner eventstore.Store, db, state readdb.DB, configure func(*api.Config), opts []commands.Option) {
	t := env.t
	t.Helper()
	// As serve does: children's personal data is sealed in the store.
	keys, err := privacy.OpenKeys(context.Background(), state.SQL, state.Dialect == readdb.SQLite, []byte("apitest master key, 32 bytes ok!"))
	if err != nil {
		t.Fatal(err)
	}
	// The data keys live in the log's database, as serve keeps them.
	store := privacy.Wrap(inner, keys, personal.Catalog(), privacy.KeysInLog)
	env.Raw = inner
	// The server's and the engine's log is kept, and shown if the test
	// fails: a 503 or a 500 says only "request id …" to the client.
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (the last %d bytes):\n%s", logTail, logs.tail())
		}
	})
	e := engine.New(store, db, engine.Options{Poll: 5 * time.Millisecond, Logger: logger}, projections.All()...)
	if err := e.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	tokens, err := api.NewTokens([]byte("apitest token key, 32 bytes long!"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.Config{
		Commands: commands.New(store, opts...), Record: record.New(store), Engine: e, ReadModels: db, State: state,
		Tokens: tokens, Logger: logger,
		// A loaded CI machine under -race may take longer than the
		// default 5 s to apply a batch; a test waits rather than flakes.
		MinPositionWait: 30 * time.Second,
	}
	if configure != nil {
		configure(&cfg)
	}
	server, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.Handler())
	// As serve's shutdown does: notification streams end first, or
	// Close would wait for them.
	t.Cleanup(func() { server.EndStreams(); ts.Close(); cancel(); <-done })
	env.URL, env.Store, env.Engine, env.Server, env.Tokens, env.DB, env.State = ts.URL, store, e, server, tokens, db, state
}

// Token issues a token for a principal (agency only for partners), valid
// for an hour.
func (env *Env) Token(role, jurisdiction, subject, agency string) string {
	env.t.Helper()
	r, err := domain.ParseRole(role)
	if err != nil {
		env.t.Fatal(err)
	}
	j, err := domain.ParseJurisdiction(jurisdiction)
	if err != nil {
		env.t.Fatal(err)
	}
	p := domain.Principal{Actor: domain.Actor{Subject: subject, Role: r, Jurisdiction: j}}
	if agency != "" {
		if p.Agency, err = domain.ParseAgency(agency); err != nil {
			env.t.Fatal(err)
		}
	}
	tok, err := env.Tokens.Issue(p, time.Hour)
	if err != nil {
		env.t.Fatal(err)
	}
	return tok
}

// Response is an answer read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it does not decode.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request with the token (none when empty) and a body (a string
// or []byte is sent as is; anything else as JSON; nil sends none), with
// extra headers given as name, value pairs.
func (env *Env) Do(method, path, token string, body any, headers ...string) Response {
	env.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			env.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, env.URL+path, rd)
	if err != nil {
		env.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		env.t.Fatal(err)
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		// A stream never ends by itself: what it sends in its first
		// moments is its answer.
		var buf bytes.Buffer
		done := make(chan struct{})
		go func() { defer close(done); _, _ = io.Copy(&buf, resp.Body) }()
		time.Sleep(streamGlance)
		cancel()
		<-done
		return Response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		env.t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// streamGlance is how long Do reads a server-sent event stream.
const streamGlance = 300 * time.Millisecond

// logTail is how much of a failed test's server log is shown.
const logTail = 16 << 10

// logBuffer collects a server's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.buf.Bytes()
	if len(out) > logTail {
		out = out[len(out)-logTail:]
	}
	return string(out)
}
