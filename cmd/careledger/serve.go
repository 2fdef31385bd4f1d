package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/webhook"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("serve", `Usage: careledger serve [--addr HOST:PORT] [--data DIR | --postgres URL [--postgres-read URL] | --kurrent URL]
Opens the store (applying its migrations) and serves HTTP until interrupted.
Go's heap is kept under a soft limit (180 MiB with the read models in SQLite, 256 MiB on
PostgreSQL) unless GOMEMLIMIT sets another.
`, stderr)
	readURL := fs.String("postgres-read", os.Getenv("CARELEDGER_POSTGRES_READ"),
		"a hot standby of --postgres: queries read their read models there, and this server applies no projections (env CARELEDGER_POSTGRES_READ)")
	addr := fs.String("addr", envOr("CARELEDGER_ADDR", "127.0.0.1:8080"), "listen address (env CARELEDGER_ADDR)")
	projectionMode := fs.String("projections", envOr("CARELEDGER_PROJECTIONS", "in-process"),
		"in-process: apply the read models here; external: announce new events through PostgreSQL to workers run by 'careledger projections run' (env CARELEDGER_PROJECTIONS)")
	pprofAddr := fs.String("pprof", os.Getenv("CARELEDGER_PPROF"),
		"serve Go's profiler (net/http/pprof) on this separate address, e.g. 127.0.0.1:6060; never on the API's (env CARELEDGER_PPROF)")
	fullWalkEvery := eventstore.DefaultFullWalkEvery
	if v := envOr("CARELEDGER_FULL_VERIFY_EVERY", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("serve: CARELEDGER_FULL_VERIFY_EVERY: %w", err)
		}
		fullWalkEvery = d
	}
	fs.DurationVar(&fullWalkEvery, "full-verify-every", fullWalkEvery,
		"reports and GET /v1/integrity verify the hash chain from the head verified before; the whole log is walked again once the last full walk is this old (env CARELEDGER_FULL_VERIFY_EVERY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fullWalkEvery <= 0 {
		return fmt.Errorf("serve: --full-verify-every must be positive")
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	softMemoryLimit(os.Getenv, sf.postgres == "")
	if sf.kurrent != "" {
		release, err := sf.holdKurrentWriter()
		if err != nil {
			// Where there are no file locks the server writes under a fresh
			// identity; elsewhere a second serve on the directory stops here.
			if !errors.Is(err, errNoFileLocks) {
				return fmt.Errorf("serve: %w", err)
			}
			log.Warn("no file locks: a claim this server leaves unsealed at a crash will need careledger seal-claim")
		} else {
			defer release()
		}
	}
	if *pprofAddr != "" {
		stopProfiler, err := serveProfiler(*pprofAddr, stdout, log)
		if err != nil {
			return err
		}
		defer stopProfiler()
	}
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dbs.Close()
	db := dbs.views
	role := &projectionRole{}
	var replica *readdb.DB
	var eng *engine.Engine
	var runEngine func(context.Context) error
	if *readURL != "" {
		standby, e, run, closeReplica, err := replicaReads(ctx, *readURL, store, db, role, log)
		if err != nil {
			return err
		}
		defer closeReplica()
		replica, eng, runEngine = &standby, e, run
	} else {
		e, run, closeDelivery, err := serverProjections(ctx, *projectionMode, store, db, role, log)
		if err != nil {
			return err
		}
		defer closeDelivery()
		if err := e.Migrate(ctx); err != nil {
			return err
		}
		eng, runEngine = e, run
	}
	engineCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	engineDone := make(chan error, 1)
	go func() { engineDone <- runEngine(engineCtx) }()
	defer func() {
		stopEngine()
		if err := <-engineDone; err != nil {
			log.Error("projections stopped", "error", err)
		}
	}()

	rec := record.New(store, record.FullWalkEvery(fullWalkEvery))
	metrics := prometheus.NewRegistry()
	metrics.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		engine.NewCollector(eng),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careledger_store_appends_total", Help: "Appends the event store answered."},
			func() float64 { return float64(store.Stats().Appends) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careledger_store_events_total", Help: "Events the event store wrote."},
			func() float64 { return float64(store.Stats().Events) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careledger_store_commits_total", Help: "Group commits that wrote events."},
			func() float64 { return float64(store.Stats().Batches) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careledger_chain_walks_total", Help: "Walks of the hash chain made to verify it, from the head verified before or from position 1."},
			func() float64 { return float64(rec.VerifierStats().Walks) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careledger_chain_full_walks_total", Help: "Walks of the hash chain from position 1."},
			func() float64 { return float64(rec.VerifierStats().FullWalks) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careledger_chain_events_walked_total", Help: "Events re-hashed by walks of the hash chain."},
			func() float64 { return float64(rec.VerifierStats().EventsWalked) }),
	)
	tokens, err := openTokens(sf.data)
	if err != nil {
		return err
	}
	handlers := commands.New(store)
	// The register of divisions is loaded (and every edition an admin
	// imported replayed onto it) before serving, so that no request waits
	// for it and a broken import stops the start, not a request.
	if _, err := handlers.Places().Register(ctx); err != nil {
		return fmt.Errorf("serve: the register of divisions: %w", err)
	}
	server, err := api.New(api.Config{
		Commands: handlers, Record: rec, Engine: eng, ReadModels: db, State: dbs.state, Replica: replica,
		Tokens: tokens, Logger: log, Metrics: metrics,
	})
	if err != nil {
		return err
	}
	// Webhooks: one dispatcher per deployment (on PostgreSQL the process
	// that holds its advisory lock), stopped with the server.
	dispatcher, err := webhook.New(webhook.Config{DB: db, State: dbs.state, Logger: log,
		Secret: func(id string) []byte { return []byte(tokens.WebhookSecret(id)) }})
	if err != nil {
		return err
	}
	hooksCtx, stopHooks := context.WithCancel(context.WithoutCancel(ctx))
	hooksDone := make(chan struct{})
	go func() {
		defer close(hooksDone)
		if err := dispatcher.Run(hooksCtx); err != nil {
			log.Error("webhook delivery stopped", "error", err)
		}
	}()
	defer func() { stopHooks(); <-hooksDone }()
	server.Handle("GET /metrics", promhttp.HandlerFor(metrics, promhttp.HandlerOpts{}))
	server.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`+"\n")
	}))
	server.Handle("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		lags, err := eng.Lags(ctx)
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"store unreachable"}`+"\n")
			return
		}
		behind := int64(0)
		for _, l := range lags {
			behind = max(behind, l.Behind)
			if l.Stopped != nil || l.Behind > readyLag {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, `{"status":"projections behind","projection":%q,"behind":%d,"projections_role":%q}`+"\n", l.Name, l.Behind, role)
				return
			}
		}
		if role.owner.Load() && !role.ticked.Load() {
			// The first Tick after the start (or after a rebuild at start)
			// may have thousands of obligations to mark missed; a server
			// that took load before it did answered commands about three
			// times slower (p99) for that while.
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"status":"the clock's changes not applied yet","projections_role":%q}`+"\n", role)
			return
		}
		fmt.Fprintf(w, `{"status":"ready","projections_role":%q,"behind":%d}`+"\n", role, behind)
	}))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           freshKeys(server.Handler()),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	srv.RegisterOnShutdown(server.EndStreams)
	log.Info("careledger serving", "addr", ln.Addr().String(), "store", storeKind(*sf))
	fmt.Fprintf(stdout, "careledger listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Write the last reads to the access log before the database closes.
	if err := server.Close(shutdown); err != nil {
		log.Error("access log: last entries not written", "error", err)
	}
	log.Info("careledger stopped")
	return nil
}

// freshKeys marks every request so that every erasure committed before it
// began holds for it, whichever server made it (privacy/fresh.go).
func freshKeys(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(privacy.WithFreshKeys(r.Context())))
	})
}

// readyLag is how many events a projection may trail the log and the
// server still count as ready.
const readyLag = 1000

func storeKind(sf storeFlags) string {
	if sf.kurrent != "" {
		return "kurrentdb"
	}
	if sf.postgres != "" {
		return "postgres"
	}
	return "sqlite:" + sf.data
}
