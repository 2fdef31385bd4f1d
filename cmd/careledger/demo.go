package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

const demoUsage = `Usage: careledger demo [--seed N] [--children N] [--start YYYY-MM-DD] [--force] [--data DIR | --postgres URL | --kurrent URL]
Loads a synthetic county (370902) into the store: a caseworker per 400 children, a
trained child director per village of about 60 children, the children's files, a
year of visits from --start, and cases that run their course (police reports,
assignment, assessment, referrals, temporary guardianship, follow-ups, closure).
The same seed, children and start give the same county, event for event. Every
name in it is made up. Prints a summary and how to get an admin token.
Workers are trained 60 days before --start. The default --start is the first day
of the month a year ago, so that the county's year ends about now, its directors'
training is still valid and its clocks are current; give --start to repeat a county
exactly on another day.

The demo is for an empty store: it refuses a store that already holds events,
so that made-up children never mix with real records, unless --force is given
(then use a --seed not loaded before: the same seed names the same streams and
cannot be loaded twice). The server builds its read models from the log when it
starts; a server already running picks the county up as it is written.

Flags:
`

func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("demo", demoUsage, stderr)
	seed := fs.Uint64("seed", 1, "seed of the county: the same seed makes the same county")
	children := fs.Int("children", 600, "children in the county's files (1 to 1000000)")
	start := fs.String("start", aYearAgo(time.Now()), "the day the county's year begins (China Standard Time)")
	force := fs.Bool("force", false, "load even when the store already holds events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
	}
	if *children < 1 || *children > 1_000_000 {
		return errors.New("demo: --children must be between 1 and 1000000")
	}
	day, err := time.ParseInLocation(time.DateOnly, *start, domain.ChinaStandardTime)
	if err != nil {
		return fmt.Errorf("demo: --start %q: want YYYY-MM-DD", *start)
	}
	// Through the store that seals personal data, as the server writes.
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dbs.Close()
	before, err := store.Head(ctx)
	if err != nil {
		return err
	}
	if before.Position > 0 && !*force {
		return fmt.Errorf("demo: the store already holds %d events; the demo loads into an empty store only, "+
			"so that made-up children never mix with real records (--force loads anyway; use a --seed not loaded before)", before.Position)
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("生成演示县 loading demo county"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("events"),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
	began := time.Now()
	written, err := synth.Make(ctx, store, synth.County{Seed: *seed, Children: *children, Start: day.Add(8 * time.Hour)},
		func(n int64) { _ = bar.Set64(n) })
	_ = bar.Finish()
	fmt.Fprintln(stderr)
	if err != nil {
		return fmt.Errorf("demo: %w (%d events were written)", err, written)
	}
	sum, err := summarize(ctx, store, before.Position)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Loaded demo county 370902 (seed %d) in %s: %d events.\n", *seed, time.Since(began).Round(time.Millisecond), written)
	fmt.Fprintf(stdout, "  workers   %d (%d caseworkers, %d child directors)\n", sum.workers, sum.caseworkers, sum.directors)
	fmt.Fprintf(stdout, "  children  %d, %d visits\n", sum.children, sum.visits)
	fmt.Fprintf(stdout, "  cases     %d (%d still open), %d referrals, %d temporary guardianships\n",
		sum.cases, sum.cases-sum.closed, sum.referrals, sum.guardianships)
	if sum.director.Subject != "" {
		fmt.Fprintf(stdout, "  a child director: %s in %s; a caseworker: %s\n", sum.director.Subject, sum.director.Jurisdiction, sum.caseworker.Subject)
	}
	where := "--data " + sf.data
	if sf.postgres != "" {
		where = "--postgres URL --data " + sf.data
	}
	fmt.Fprintf(stdout, "\nGet an admin token (or any other role's) with\n  careledger token issue --role admin --jurisdiction all --subject admin %s\n", where)
	if sum.director.Subject != "" {
		fmt.Fprintf(stdout, "  careledger token issue --role child_director --subject %s %s\n", sum.director.Subject, where)
	}
	fmt.Fprintf(stdout, "and start the server with\n  careledger serve %s\n", where)
	return nil
}

// countySummary counts what a load wrote.
type countySummary struct {
	workers, caseworkers, directors int
	children, visits                int
	cases, closed, referrals        int
	guardianships                   int
	director, caseworker            domain.Actor
}

// summarize reads the log after position from and counts what it holds.
func summarize(ctx context.Context, store eventstore.Store, from int64) (countySummary, error) {
	var s countySummary
	codec := eventlog.New()
	for {
		page, err := store.ReadLog(ctx, from, 5000)
		if err != nil {
			return s, fmt.Errorf("demo: read the log: %w", err)
		}
		if len(page) == 0 {
			return s, nil
		}
		from = page[len(page)-1].GlobalPosition
		events, err := codec.Decode(page)
		if err != nil {
			return s, fmt.Errorf("demo: read the log: %w", err)
		}
		for _, r := range events {
			switch e := r.Event.(type) {
			case domain.WorkerRegistered:
				s.workers++
				who := domain.Actor{Subject: e.WorkerID, Role: e.Role, Jurisdiction: e.Jurisdiction}
				switch e.Role {
				case domain.RoleCaseworker:
					s.caseworkers++
					if s.caseworker.Subject == "" {
						s.caseworker = who
					}
				case domain.RoleChildDirector:
					s.directors++
					if s.director.Subject == "" {
						s.director = who
					}
				}
			case domain.ChildRegistered:
				s.children++
			case domain.VisitRecorded:
				s.visits++
			case domain.ReportReceived:
				s.cases++
			case domain.CaseClosed:
				s.closed++
			case domain.CaseReopened:
				s.closed--
			case domain.ReferralMade:
				s.referrals++
			case domain.TemporaryGuardianshipStarted:
				s.guardianships++
			}
		}
	}
}

// aYearAgo is the first day of the month a year before now, in China
// Standard Time.
func aYearAgo(now time.Time) string {
	t := now.In(domain.ChinaStandardTime).AddDate(-1, 0, 0)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, domain.ChinaStandardTime).Format(time.DateOnly)
}
