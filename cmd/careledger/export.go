package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/timeline"
)

const exportUsage = `Usage: careledger export timeline --case ID [--as-of TIME] [--data DIR | --postgres URL | --kurrent URL]
Prints a record as JSON, for archives and hand-over.
Run "careledger export timeline --help" for its flags.
`

const exportTimelineUsage = `Usage: careledger export timeline --case ID [--as-of TIME] [--data DIR | --postgres URL | --kurrent URL]
Prints a case's timeline as JSON, in the shape of GET /v1/cases/{id}/timeline:
{as_of, items[{type, occurred_at, recorded_at, actor, global_position, summary}]},
in business-time order. --as-of (RFC 3339) shows the record as it stood then: only
entries recorded at or before it. The timeline read model is first brought up to
the head of the log (safe while the server runs: each batch is applied once, by
whichever process gets there first), then read.

Flags:
`

// export dispatches the export subcommands.
func export(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "export", exportUsage, map[string]subcommand{"timeline": exportTimeline}, args, stdout, stderr)
}

// exportedTimeline is the JSON of a timeline, as the API serves it.
type exportedTimeline struct {
	AsOf  time.Time       `json:"as_of"`
	Items []timeline.Item `json:"items"`
}

func exportTimeline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("export timeline", exportTimelineUsage, stderr)
	caseID := fs.String("case", "", "the case's id (required)")
	asOf := fs.String("as-of", "", "show the record as it stood at this time (RFC 3339); default now")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export timeline: unexpected argument %q", fs.Arg(0))
	}
	if *caseID == "" {
		fs.Usage()
		return errors.New("export timeline: --case is required")
	}
	var at time.Time
	if *asOf != "" {
		t, err := time.Parse(time.RFC3339Nano, *asOf)
		if err != nil {
			return fmt.Errorf("export timeline: --as-of %q: want an RFC 3339 time such as 2026-03-01T09:00:00+08:00", *asOf)
		}
		at = t
	}
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dbs.Close()
	db := dbs.views
	first, err := store.ReadStream(ctx, domain.CaseStream(*caseID).String(), 0, 1)
	if err != nil {
		return fmt.Errorf("export timeline: %w", err)
	}
	if len(first) == 0 {
		return fmt.Errorf("export timeline: no case %s", *caseID)
	}
	e := engine.New(store, db, engine.Options{Batch: 2000}, timeline.Projection{})
	if err := e.Migrate(ctx); err != nil {
		return err
	}
	if err := e.CatchUp(ctx); err != nil {
		return fmt.Errorf("export timeline: bring the timeline up to date: %w", err)
	}
	if at.IsZero() {
		at = time.Now()
	}
	items, err := timeline.OfCase(ctx, db, *caseID, at)
	if err != nil {
		return fmt.Errorf("export timeline: %w", err)
	}
	return writeJSON(stdout, exportedTimeline{AsOf: at, Items: items})
}
