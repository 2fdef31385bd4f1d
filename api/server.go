package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/webhook"
)

// Config is what the server is built from.
type Config struct {
	// Commands carries out the commands (the write side).
	Commands *commands.Handlers
	// Record reads the log itself: raw events, children's personal data,
	// the worker register, the hash chain.
	Record *record.Reader
	// ReadModels is the read-model database the queries read; its clock is
	// the server's (default time.Now).
	ReadModels readdb.DB
	// State is the database of what the log cannot give back and the
	// server writes itself: the access log, token revocations, webhook
	// deliveries (zero: ReadModels). On SQLite it is the log's own file,
	// the read models having a file of their own.
	State readdb.DB
	// Replica, when set, is the same read-model database on a PostgreSQL
	// hot standby: GET requests read their read models there (see reads);
	// Engine must then mirror the standby's checkpoints, so that
	// min_position waits for the standby to replay the write.
	Replica *readdb.DB
	// Engine runs the projections; queries wait on it for min_position.
	Engine  *engine.Engine
	Tokens  *Tokens
	Logger  *slog.Logger          // default slog.Default()
	Metrics prometheus.Registerer // request metrics are registered here when set
	// MinPositionWait bounds how long a query waits for min_position
	// (default 5 s).
	MinPositionWait time.Duration
	// NotifyPoll is how often a notification stream reads the deadline
	// view for news (default 250 ms).
	NotifyPoll time.Duration
	// Backlog is how many events the read models may lag behind a
	// command's last event before its answer waits for them (pace.go; at
	// most a second; default DefaultBacklog; negative: never).
	Backlog int64
	// MaxWaiters bounds how many requests may wait for min_position at
	// once (default 256); past it a request answers 503 with Retry-After
	// at once rather than hold a connection.
	MaxWaiters int
}

// Server serves the /v1 API.
type Server struct {
	handlers *commands.Handlers
	record   *record.Reader
	engine   *engine.Engine
	db       readdb.DB  // the read models
	state    readdb.DB  // the access log, revocations, webhook deliveries
	replica  *readdb.DB // the standby's read models, for GET requests; nil: none
	tokens   *Tokens
	workers  registerCache
	log      *slog.Logger
	wait     time.Duration
	backlog  int64 // Config.Backlog
	// notifyPoll is how often a notification stream looks for news;
	// streamsEnd, closed by EndStreams, ends every stream.
	notifyPoll    time.Duration
	streamsEnd    chan struct{}
	endStreamsOne sync.Once
	// waiters holds a token per request waiting for min_position.
	waiters chan struct{}
	// revoked caches the revoked tokens (revocation.go).
	revoked revocations

	mux     *http.ServeMux
	routes  []Route
	metrics *requestMetrics

	accessLog *accesslog.Log // who read which child's file (access_log.go)
}

// Route is one operation of the API: its method and path pattern (as
// net/http's ServeMux spells it) and the act it is (none: no token needed),
// whose roles may call it.
type Route struct {
	Method  string
	Pattern string
	Act     *domain.Act
}

// Roles are the roles that may call the route (none: no token needed).
func (r Route) Roles() []domain.Role {
	if r.Act == nil {
		return nil
	}
	return r.Act.Roles()
}

// New builds the server and registers every route.
func New(cfg Config) (*Server, error) {
	if cfg.Commands == nil || cfg.Record == nil || cfg.Engine == nil || cfg.ReadModels.SQL == nil || cfg.Tokens == nil {
		return nil, errors.New("api: Commands, Record, Engine, ReadModels and Tokens are required")
	}
	s := &Server{
		handlers: cfg.Commands, record: cfg.Record, engine: cfg.Engine, db: cfg.ReadModels, state: cfg.State, replica: cfg.Replica,
		tokens: cfg.Tokens, log: cfg.Logger, wait: cfg.MinPositionWait, notifyPoll: cfg.NotifyPoll,
		mux: http.NewServeMux(), streamsEnd: make(chan struct{}),
	}
	if s.state.SQL == nil {
		s.state = s.db
	}
	switch s.backlog = cfg.Backlog; {
	case s.backlog == 0:
		s.backlog = DefaultBacklog
	case s.backlog < 0:
		s.backlog = -1
	}
	if s.notifyPoll <= 0 {
		s.notifyPoll = 250 * time.Millisecond
	}
	if cfg.MaxWaiters <= 0 {
		cfg.MaxWaiters = 256
	}
	s.waiters = make(chan struct{}, cfg.MaxWaiters)
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.wait <= 0 {
		s.wait = 5 * time.Second
	}
	var err error
	if s.metrics, err = newRequestMetrics(cfg.Metrics); err != nil {
		return nil, err
	}
	if err := s.openAccessLog(); err != nil {
		return nil, err
	}
	if err := MigrateRevocations(context.Background(), s.state); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	// The deliveries' table, which the dispatcher (package webhook) writes.
	if err := webhook.Migrate(context.Background(), s.state); err != nil {
		return nil, err
	}
	s.registerRoutes()
	s.Handle("GET /openapi.json", http.HandlerFunc(s.openAPI))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, Problem{Type: "urn:careledger:problem:not-found", Title: "未找到 Not found", Status: http.StatusNotFound,
			Detail: "no route " + r.Method + " " + r.URL.Path})
	})
	return s, nil
}

// EndStreams ends every notification stream (GET /v1/notifications): a
// graceful shutdown calls it (http.Server.RegisterOnShutdown), since a
// stream would otherwise hold the shutdown until its timeout. A reader
// reconnects, elsewhere or later, with its last event id.
func (s *Server) EndStreams() { s.endStreamsOne.Do(func() { close(s.streamsEnd) }) }

// Routes lists the API's operations (for the OpenAPI document and its test).
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Handler is the server's HTTP handler: every route behind request ids,
// logging, metrics and panic recovery.
func (s *Server) Handler() http.Handler { return s.observe(s.mux) }

// Handle mounts a handler that needs no token (health, metrics, pages) on
// the same mux, so it shares logging and metrics.
func (s *Server) Handle(pattern string, h http.Handler) {
	method, path, _ := strings.Cut(pattern, " ")
	s.routes = append(s.routes, Route{Method: method, Pattern: path})
	s.mux.Handle(pattern, h)
}

// operation is a route's handler: it runs for an authenticated principal
// whose role the route allows; a returned error becomes the answer.
type operation func(w http.ResponseWriter, r *http.Request, p domain.Principal) error

// route registers an operation under "METHOD /path" for the roles the
// domain allows to do the act.
func (s *Server) route(pattern string, act domain.Act, op operation) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || len(act.Roles()) == 0 {
		panic("api: route " + pattern + " needs a method and an act some role may do")
	}
	s.routes = append(s.routes, Route{Method: method, Pattern: path, Act: &act})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !act.Allows(p.Role) {
			s.writeError(w, r, fmt.Errorf("the role %s may not %s (%s %s): %w", p.Role, act, method, path, domain.ErrForbidden))
			return
		}
		setPrincipal(r, p)
		if err := op(w, r, p); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// now is the server's clock (the read models' clock).
func (s *Server) now() time.Time { return s.db.Now() }

// readWorker is what the register says of a worker now, from the log.
func (s *Server) readWorker(ctx context.Context, id string) (domain.WorkerFacts, error) {
	w, _, err := s.record.Worker(ctx, id)
	return w, err
}

// authenticate reads the bearer token. A director's or supervisor's token
// must name a worker of the real-name register in that role; the token of
// any registered worker serves only while the worker is active and within
// the post it holds now (domain.CheckRegistered), so deactivating or
// moving a worker takes effect on this server's next request, and within
// registerCacheLife on the others.
func (s *Server) authenticate(r *http.Request) (domain.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return domain.Principal{}, fmt.Errorf("%w: no Authorization: Bearer token", ErrUnauthenticated)
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return domain.Principal{}, fmt.Errorf("%w: the Authorization scheme must be Bearer", ErrUnauthenticated)
	}
	token = strings.TrimSpace(token)
	c, err := s.tokens.claims(token)
	if err != nil {
		return domain.Principal{}, err
	}
	p, err := principalOf(c)
	if err != nil {
		return domain.Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	revoked, err := s.revoked.isRevoked(r.Context(), s.state, TokenID(c, token), s.now())
	if err != nil {
		return domain.Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	if revoked {
		return domain.Principal{}, fmt.Errorf("%w: the token was revoked", ErrUnauthenticated)
	}
	if domain.InRegister(p.Role) {
		w, err := s.workers.worker(r.Context(), p.Subject, s.readWorker)
		if err != nil {
			return domain.Principal{}, fmt.Errorf("authenticate: %w", err)
		}
		if err := domain.CheckRegistered(p, w); err != nil {
			return domain.Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
		}
	}
	return p, nil
}

// requestIDPattern is what a client-sent X-Request-Id may look like to be
// kept (anything else is replaced, so logs hold nothing a client smuggles).
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	principalKey
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// principalBox lets the logging middleware learn who called, after the route ran.
type principalBox struct{ p *domain.Principal }

func setPrincipal(r *http.Request, p domain.Principal) {
	if box, ok := r.Context().Value(principalKey).(*principalBox); ok {
		box.p = &p
	}
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives every request an id (X-Request-Id), recovers panics into a
// 500 problem, logs one line per request (route, status, duration, role —
// never bodies, query strings or personal data) and counts it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		box := &principalBox{}
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey, id), principalKey, box)
		r = markQuery(r.WithContext(ctx))
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(ctx, "panic serving request", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeProblem(rec, Problem{Type: "urn:careledger:problem:internal", Title: "内部错误 Internal error",
						Status: http.StatusInternalServerError, Detail: "request id " + id})
				}
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			route := r.Pattern
			if route == "" || route == "/" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			s.metrics.observe(r.Method, route, status, elapsed)
			attrs := []any{"request_id", id, "method", r.Method, "route", route, "status", status,
				"duration_ms", float64(elapsed.Microseconds()) / 1000}
			if box.p != nil {
				attrs = append(attrs, "role", box.p.Role.String())
			}
			s.log.InfoContext(ctx, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// requestMetrics counts requests by route and status and times them.
type requestMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// paced is how long command answers waited for the read models to
	// keep pace (pace.go), of those that waited.
	paced prometheus.Histogram
}

func newRequestMetrics(reg prometheus.Registerer) (*requestMetrics, error) {
	m := &requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "careledger_http_requests_total", Help: "HTTP requests answered, by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "careledger_http_request_duration_seconds", Help: "HTTP request latency, by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		paced: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "careledger_command_pace_seconds", Help: "How long a command's answer waited for the read models to come within the backlog of it, of the answers that waited.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.latency, m.paced} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("api: register metrics: %w", err)
			}
		}
	}
	return m, nil
}

// observe counts a request. Every label value comes from a fixed set —
// route is a registered pattern or "unmatched", status one the server
// answers, and an unknown method is "other" — so that no request can grow
// the metrics without bound.
func (m *requestMetrics) observe(method, route string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// knownMethods are the HTTP methods metrics name; any other is "other".
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
	http.MethodDelete: true, http.MethodOptions: true,
}
