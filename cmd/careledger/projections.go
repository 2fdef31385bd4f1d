package main

import (
	"context"
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"

	"github.com/careledger/careledger/projections"
)

func projectionsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		fmt.Fprintln(stderr, "Usage: careledger projections rebuild [--data DIR | --postgres URL] [NAME...]")
		return errUsage
	}
	fs, sf := commandFlags("projections rebuild", `Usage: careledger projections rebuild [--data DIR | --postgres URL] [NAME...]
Empties the named read models (all when none is named) and builds them again from the
whole event log, showing progress. Stop the server first: a rebuild while it runs is not
supported yet.
`, stderr)
	if err := fs.Parse(args[1:]); err != nil {
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
