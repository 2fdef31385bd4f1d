package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
)

const projectionsUsage = `Usage:
  careledger projections rebuild [--data DIR | --postgres URL] [NAME...]
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
	fs, sf := commandFlags("projections rebuild", `Usage: careledger projections rebuild [--data DIR | --postgres URL] [NAME...]
Builds the named read models (all when none is named) again from the whole event log,
showing progress, into shadow tables, then swaps them in: the server may keep running and
serving the old tables meanwhile.
`, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, db, dialect, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer db.Close()
	engine := projections.New(store, db, dialect, projections.Options{Batch: 2000}, projections.All(store)...)
	if err := engine.Migrate(ctx); err != nil {
		return err
	}
	var bar *progressbar.ProgressBar
	err = engine.Rebuild(ctx, func(done, total int64) {
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
	for _, s := range engine.Statuses() {
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
(seal.key, master.key) or CARELEDGER_SEAL_KEY and CARELEDGER_MASTER_KEY.
`, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sf.postgres == "" {
		return errNeedsPostgres
	}
	store, db, dialect, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer db.Close()
	chosen, err := namedProjections(store, fs.Args())
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	pgPool, _ := pool(store)
	delivery, err := projections.NewPostgresDelivery(ctx, pgPool, 0, log)
	if err != nil {
		return err
	}
	defer delivery.Close()
	engine := projections.New(store, db, dialect, projections.Options{Logger: log, Subscriber: delivery.Subscriber}, chosen...)
	if err := engine.Migrate(ctx); err != nil {
		return err
	}
	names := make([]string, 0, len(chosen))
	for _, p := range chosen {
		names = append(names, p.Name())
	}
	log.Info("projection worker running", "projections", names)
	fmt.Fprintf(stdout, "careledger projections running: %s\n", strings.Join(names, " "))
	if err := engine.Follow(ctx); err != nil {
		return err
	}
	log.Info("projection worker stopped")
	return nil
}

// namedProjections picks the read models named, or all of them.
func namedProjections(log projections.StreamReader, names []string) ([]projections.Projection, error) {
	all := projections.All(log)
	if len(names) == 0 {
		return all, nil
	}
	var chosen []projections.Projection
	for _, name := range names {
		i := slices.IndexFunc(all, func(p projections.Projection) bool { return p.Name() == name })
		if i < 0 {
			return nil, fmt.Errorf("no projection named %q", name)
		}
		if !slices.ContainsFunc(chosen, func(p projections.Projection) bool { return p.Name() == name }) {
			chosen = append(chosen, all[i])
		}
	}
	return chosen, nil
}

// serverProjections makes the server's projection engine and what runs
// it. In-process, the server applies the read models itself. External
// (PostgreSQL only), it announces new events to workers run by
// 'projections run' and mirrors their checkpoints for /readyz and
// /metrics; closeDelivery releases what it holds once the engine stops.
func serverProjections(ctx context.Context, mode string, store eventstore.Store, db *sql.DB, dialect projections.Dialect, log *slog.Logger) (
	engine *projections.Engine, run func(context.Context) error, closeDelivery func(), err error) {
	switch mode {
	case "in-process":
		engine = projections.New(store, db, dialect, projections.Options{Logger: log}, projections.All(store)...)
		return engine, engine.Run, func() {}, nil
	case "external":
		pgPool, ok := pool(store)
		if !ok {
			return nil, nil, nil, fmt.Errorf("--projections=external: %w", errNeedsPostgres)
		}
		delivery, err := projections.NewPostgresDelivery(ctx, pgPool, 0, log)
		if err != nil {
			return nil, nil, nil, err
		}
		engine = projections.New(store, db, dialect, projections.Options{Logger: log, Publisher: delivery.Publisher}, projections.All(store)...)
		return engine, engine.Feed, func() { _ = delivery.Close() }, nil
	default:
		return nil, nil, nil, fmt.Errorf("--projections is in-process or external, not %q", mode)
	}
}
