package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/projections/register"
	"github.com/careledger/careledger/projections/report"
)

const inquiryUsage = `Usage: careledger inquiry report (--id ID | --case ID | --child ID) [--as-of TIME] [--format html|json] [--lang zh|en] [--data DIR | --postgres URL | --kurrent URL]
Accountability reports (重大事件倒查) for inspectors working from the data directory.
Run "careledger inquiry report --help" for its flags.
`

const inquiryReportUsage = `Usage: careledger inquiry report (--id ID | --case ID | --child ID) [--as-of TIME] [--format html|json] [--lang zh|en] [--data DIR | --postgres URL | --kurrent URL]
Prints the accountability report (重大事件倒查报告) of an inquiry (--id), or the same
report for a case (--case) or a child and every case about it (--child): what was known
and when, every obligation with its owner and status under the policy then in force,
the entries recorded late, the whole timeline, and the verification of the hash chain.
--as-of (RFC 3339) shows the record as it stood then. --format json prints the shape of
GET /v1/inquiries/{id}/report; --format html prints the printable page the server gives
for Accept: text/html, in Simplified Chinese (--lang zh, the default) or English.
The operator holds the data, so every jurisdiction is covered. The case and register views are first
brought up to the head of the log (safe while the server runs), then read.

Flags:
`

// inquiry dispatches the inquiry subcommands.
func inquiry(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "inquiry", inquiryUsage, map[string]subcommand{"report": inquiryReport}, args, stdout, stderr)
}

func inquiryReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("inquiry report", inquiryReportUsage, stderr)
	inquiryID := fs.String("id", "", "the inquiry's id")
	caseID := fs.String("case", "", "a case's id: the case and its child's file")
	childID := fs.String("child", "", "a child's id: the child's file and every case about the child")
	asOf := fs.String("as-of", "", "show the record as it stood at this time (RFC 3339); default now")
	format := fs.String("format", "json", "json or html")
	lang := fs.String("lang", "zh", "the language of the html page: zh or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("inquiry report: unexpected argument %q", fs.Arg(0))
	}
	named := 0
	for _, id := range []string{*inquiryID, *caseID, *childID} {
		if id != "" {
			named++
		}
	}
	if named != 1 {
		fs.Usage()
		return errors.New("inquiry report: name exactly one of --id, --case and --child")
	}
	if *format != "json" && *format != "html" {
		return fmt.Errorf("inquiry report: --format %q: want json or html", *format)
	}
	if *lang != "zh" && *lang != "en" {
		return fmt.Errorf("inquiry report: --lang %q: want zh or en", *lang)
	}
	var at time.Time
	if *asOf != "" {
		t, err := time.Parse(time.RFC3339Nano, *asOf)
		if err != nil {
			return fmt.Errorf("inquiry report: --as-of %q: want an RFC 3339 time such as 2026-03-01T09:00:00+08:00", *asOf)
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
	// A child's cases are listed from the case view.
	e := engine.New(store, db, engine.Options{Batch: 2000}, caseview.Projection{}, register.Projection{})
	if err := e.Migrate(ctx); err != nil {
		return err
	}
	if err := e.CatchUp(ctx); err != nil {
		return fmt.Errorf("inquiry report: bring the case view up to date: %w", err)
	}
	// Who read the child's record comes from the access log (empty when
	// no server has served from this data yet).
	if err := accesslog.Migrate(ctx, dbs.state); err != nil {
		return fmt.Errorf("inquiry report: %w", err)
	}

	var rep *report.Report
	what := ""
	if *inquiryID != "" {
		what = "inquiry " + *inquiryID
		rep, err = report.BuildInquiryReport(ctx, record.New(store), db, dbs.state, *inquiryID, at, domain.All)
	} else {
		what = "case " + *caseID
		if *childID != "" {
			what = "child " + *childID
		}
		rep, err = report.BuildTraceReport(ctx, record.New(store), db, dbs.state, report.Subject{CaseID: *caseID, ChildID: *childID}, at, domain.All)
	}
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("inquiry report: no %s in the record (as of %s)", what, asOfText(at))
	}
	if err != nil {
		return fmt.Errorf("inquiry report: %w", err)
	}
	places := eventlog.NewPlaces(eventlog.New(), store)
	report.NamePlaces(rep, func(code string) string {
		j, err := domain.ParseJurisdiction(code)
		if err != nil {
			return ""
		}
		return places.Name(ctx, j)
	})
	if *format == "html" {
		return api.RenderReportHTML(stdout, rep, *lang)
	}
	return writeJSON(stdout, rep)
}

func asOfText(at time.Time) string {
	if at.IsZero() {
		return "now"
	}
	return at.Format(time.RFC3339)
}
