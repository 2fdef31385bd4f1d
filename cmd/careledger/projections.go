package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
)

const projectionsUsage = `Usage:
  careledger projections rebuild [--data DIR | --postgres URL | --kurrent URL] [NAME...]
  careledger projections run --postgres URL [NAME...]
`

func projectionsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, projectionsUsage)
		return errUsage
	}
	switch args[0] {
	case "rebuild":
		return projectionsRebuild(ctx, args[1:], stdout, stderr)
	case "run":
		return projectionsRun(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprint(stderr, projectionsUsage)
		return errUsage
	}
}

func projectionsRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("projections rebuild", `Usage: careledger projections rebuild [--data DIR | --postgres URL | --kurrent URL] [NAME...]
Builds the named read models (all when none is named) again from the whole event log,
showing progress, into shadow tables, then swaps them in: the server may keep running and
serving the old tables meanwhile.
`, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dbs.Close()
	db := dbs.views
	e := engine.New(store, db, engine.Options{Batch: 2000}, projections.All()...)
	if err := e.Migrate(ctx); err != nil {
		return err
	}
	var bar *progressbar.ProgressBar
	err = e.Rebuild(ctx, func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription("重建读模型 rebuilding"),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("events"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100_000_000),
			)
		}
		_ = bar.Set64(done)
	}, fs.Args()...)
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	// A rebuild, like the log, knows no clock: what changed with the time
	// (obligations fallen due, yearly verifications come due) comes now.
	if err := e.Tick(ctx, time.Now()); err != nil {
		return err
	}
	for _, s := range e.Statuses() {
		fmt.Fprintf(stdout, "%s\t%d\n", s.Name, s.Position)
	}
	return nil
}

// errNeedsPostgres: projections in separate processes were asked for
// without PostgreSQL.
var errNeedsPostgres = errors.New("projection workers in separate processes need PostgreSQL (--postgres or CARELEDGER_POSTGRES): " +
	"they receive notices of new events through it; with SQLite, serve runs the projections itself")

func projectionsRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("projections run", `Usage: careledger projections run --postgres URL [NAME...]
Runs the named projections (all when none is named) as a worker process apart from the
server, until interrupted (SIGINT, SIGTERM): each catches up from the log, then applies
the new events a server started with --projections=external announces through
PostgreSQL. Workers of the same projection may run side by side; each event still takes
effect once. PostgreSQL only. A worker needs the server's keys: its --data directory
(seal.key, master.key) or CARELEDGER_SEAL_KEY and CARELEDGER_MASTER_KEY. Go's heap is kept
under a soft limit of 256 MiB unless GOMEMLIMIT sets another.
`, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sf.postgres == "" {
		return errNeedsPostgres
	}
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dbs.Close()
	db := dbs.views
	chosen, err := projections.Named(fs.Args()...)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	softMemoryLimit(os.Getenv, false)
	pgPool, _ := pool(store)
	delivery, err := engine.NewPostgresDelivery(ctx, pgPool, 0, log)
	if err != nil {
		return err
	}
	defer delivery.Close()
	e := engine.New(store, db, engine.Options{Logger: log, Subscriber: delivery.Subscriber}, chosen...)
	if err := e.Migrate(ctx); err != nil {
		return err
	}
	names := make([]string, 0, len(chosen))
	for _, p := range chosen {
		names = append(names, p.Name())
	}
	log.Info("projection worker running", "projections", names)
	fmt.Fprintf(stdout, "careledger projections running: %s\n", strings.Join(names, " "))
	// The clock-driven changes of the projections this worker runs are
	// this worker's to make (engine.Tick), as their events are.
	go keepTicking(ctx, e, new(atomic.Bool), log)
	if err := e.Follow(ctx); err != nil {
		return err
	}
	log.Info("projection worker stopped")
	return nil
}

// serverProjections makes the server's projection engine and what runs
// it. In-process, the server applies the read models itself. External
// (PostgreSQL only), it announces new events to workers run by
// 'projections run' and mirrors their checkpoints for /readyz and
// /metrics; closeDelivery releases what it holds once the engine stops.
func serverProjections(ctx context.Context, mode string, store eventstore.Store, db readdb.DB, role *projectionRole, log *slog.Logger) (
	e *engine.Engine, run func(context.Context) error, closeDelivery func(), err error) {
	switch mode {
	case "in-process":
		e = engine.New(store, db, engine.Options{Logger: log}, projections.All()...)
		if pgPool, ok := pool(store); ok {
			// One server of those on the database applies them (lease.go).
			run = func(ctx context.Context) error { return runUnderLease(ctx, pgPool, e, role, log) }
			return e, run, func() {}, nil
		}
		role.owner.Store(true)
		run = func(ctx context.Context) error {
			go keepTicking(ctx, e, &role.ticked, log)
			return e.Run(ctx)
		}
		return e, run, func() {}, nil
	case "external":
		pgPool, ok := pool(store)
		if !ok {
			return nil, nil, nil, fmt.Errorf("--projections=external: %w", errNeedsPostgres)
		}
		delivery, err := engine.NewPostgresDelivery(ctx, pgPool, 0, log)
		if err != nil {
			return nil, nil, nil, err
		}
		role.external = true
		e = engine.New(store, db, engine.Options{Logger: log, Publisher: delivery.Publisher}, projections.All()...)
		return e, e.Feed, func() { _ = delivery.Close() }, nil
	default:
		return nil, nil, nil, fmt.Errorf("--projections is in-process or external, not %q", mode)
	}
}

// tickEvery is how often the read models that change with the time are
// brought up to it (an obligation falls due: missed; a yearly verification
// comes due).
const tickEvery = time.Minute

// keepTicking runs the engine's Tick once the projections follow the log
// (engine.Started: after a rebuild at start, whose tables a Tick during it
// would not reach) and then every minute, until ctx ends; ticked is set
// once a Tick has gone through.
func keepTicking(ctx context.Context, e *engine.Engine, ticked *atomic.Bool, log *slog.Logger) {
	select {
	case <-e.Started():
	case <-ctx.Done():
		return
	}
	ticker := time.NewTicker(tickEvery)
	defer ticker.Stop()
	for {
		if err := e.Tick(ctx, time.Now()); err != nil {
			if ctx.Err() == nil {
				log.Error("projections: the clock's changes were not applied", "error", err)
			}
		} else {
			ticked.Store(true)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
