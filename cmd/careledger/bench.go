package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/careledger/careledger/eventstore/storebench"
)

const benchUsage = `Usage: careledger bench [--postgres URL [--nodes N]] [--dir DIR] [--children N] [--writers N] [--readers N]
                       [--rate N] [--duration 20s] [--raw 5s] [--json] [--cpuprofile FILE] [--server BINARY]
Measures careledger end to end, as a user feels it: it starts this binary's
'serve' on a fresh store (SQLite in a new directory under --dir, or a new
database on the PostgreSQL server --postgres names, dropped afterwards),
optionally loads the demo county first (--children, about 15.6 events a child),
then drives it over HTTP from --writers clients (each a caseworker of county
370902: half new reports with a new child, half follow-ups of its own cases)
and --readers clients (the own case just written with min_position, the
county's caseload, the county's open deadlines) for --duration. Each client
sends its next request as soon as its last is answered, so a build whose
commands are faster also sends more of them; --rate N holds the writers
together to at most N commands a second, to compare builds under the same
load of commands. It prints
commands/s, p50/p99 of commands and of queries (all, and each kind),
projection lag (sampled from /metrics) and catch-up after the load stops,
where the CPU went during the load (on Linux: how busy the machine was, and
the cores and milliseconds a request of the servers, of PostgreSQL when it
runs on this machine, and of the load generator), the time the server took
to be ready and its RSS, and the raw
single-insert rate of the same disk (one
INSERT per transaction, one writer, the events table's row shape), measured
before and after the load in the same run, with the ratio of commands/s to it.
With --nodes N (PostgreSQL only) it starts N servers on the one database and
spreads the clients over them (client i on server i mod N): a reader reads
the case a writer wrote through another server; lag, RSS and the profile are
the first server's, which holds the projections' lease.

The store is fresh each run: nothing of an existing data directory or
database is touched.

Flags:
`

// benchConfig is what one bench run measures.
type benchConfig struct {
	postgres string
	dir      string
	children int
	writers  int
	readers  int
	duration time.Duration
	raw      time.Duration
	json     bool
	// cpuProfile, when set, is where the server's CPU profile over the
	// load goes.
	cpuProfile string
	// server is the careledger binary measured (this one by default).
	server string
	// nodes is how many servers share the store (PostgreSQL only).
	nodes int
	// rate, when above 0, bounds the writers together to that many
	// commands a second (see load.write).
	rate float64
}

func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", benchUsage, stderr)
	var c benchConfig
	fs.StringVar(&c.postgres, "postgres", "", "PostgreSQL server to measure on (a new database is made there and dropped); SQLite when empty")
	fs.StringVar(&c.dir, "dir", os.TempDir(), "directory under which the run's data directory is made (the disk measured, for SQLite)")
	fs.IntVar(&c.children, "children", 0, "children of the demo county loaded before the server starts (0: an empty store)")
	fs.IntVar(&c.writers, "writers", 32, "clients sending commands")
	fs.IntVar(&c.readers, "readers", 0, "clients sending queries")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long the load runs")
	fs.DurationVar(&c.raw, "raw", 5*time.Second, "how long each raw single-insert baseline runs")
	fs.BoolVar(&c.json, "json", false, "print the result as JSON")
	fs.StringVar(&c.server, "server", "", "the careledger binary to measure (default: this one), to compare two builds with one harness")
	fs.Float64Var(&c.rate, "rate", 0, "at most this many commands a second from the writers together, each on a schedule of its own (0: each sends its next as soon as its last is answered)")
	fs.IntVar(&c.nodes, "nodes", 1, "servers started on the one PostgreSQL database, the clients spread over them")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write the server's CPU profile over the load to this file (go tool pprof reads it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	switch {
	case c.writers < 0 || c.readers < 0 || c.writers+c.readers == 0:
		return errors.New("bench: --writers and --readers must not be negative, and not both 0")
	case c.duration <= 0 || c.raw <= 0:
		return errors.New("bench: --duration and --raw must be positive")
	case c.children < 0 || c.children > 1_000_000:
		return errors.New("bench: --children must be between 0 and 1000000")
	case c.rate < 0 || c.rate > 0 && c.writers == 0:
		return errors.New("bench: --rate must not be negative, and needs --writers")
	case c.nodes < 1 || c.nodes > 8:
		return errors.New("bench: --nodes must be between 1 and 8")
	case c.nodes > 1 && c.postgres == "":
		return errors.New("bench: --nodes above 1 needs --postgres (servers share a PostgreSQL database)")
	}
	res, err := runBench(ctx, c, stderr)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.print(stdout)
	return nil
}

// runBench makes the fresh store, measures the baseline, starts the server,
// loads it and measures the baseline again.
func runBench(ctx context.Context, c benchConfig, log io.Writer) (*benchResult, error) {
	dir, err := os.MkdirTemp(c.dir, "careledger-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	res := &benchResult{Backend: "sqlite", Nodes: c.nodes, Writers: c.writers, Rate: c.rate, Readers: c.readers, Duration: c.duration.String(), Children: c.children}
	st := benchStore{binary: c.server, data: filepath.Join(dir, "data")}
	if st.binary == "" {
		if st.binary, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	if c.postgres != "" {
		res.Backend = "postgres"
		drop, url, err := freshPostgresDatabase(ctx, c.postgres)
		if err != nil {
			return nil, err
		}
		defer drop()
		st.postgres = url
	}
	var raw *storebench.Baseline
	if st.postgres != "" {
		raw, err = storebench.Postgres(ctx, st.postgres, 1)
	} else {
		raw, err = storebench.SQLite(ctx, filepath.Join(dir, "raw.db"), 1)
	}
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	fmt.Fprintf(log, "bench: raw single-insert baseline (%s)…\n", c.raw)
	if res.RawBefore, err = raw.Rate(ctx, 1, c.raw); err != nil {
		return nil, err
	}

	if c.children > 0 {
		fmt.Fprintf(log, "bench: loading the demo county (%d children)…\n", c.children)
		began := time.Now()
		if err := st.run(ctx, log, "demo", "--children", strconv.Itoa(c.children), "--seed", "2026"); err != nil {
			return nil, fmt.Errorf("load the demo county: %w", err)
		}
		res.LoadSeconds = time.Since(began).Seconds()
	}
	if res.Events, err = st.head(ctx, log); err != nil {
		return nil, err
	}
	srv, err := startBenchServer(ctx, st, dir, "serve.log", c.cpuProfile != "")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	others := make([]*benchServer, 0, c.nodes-1)
	for i := 1; i < c.nodes; i++ {
		o, err := startBenchServer(ctx, st, dir, fmt.Sprintf("serve-%d.log", i+1), false)
		if err != nil {
			return nil, err
		}
		defer o.stop()
		others = append(others, o)
	}
	res.ReadySeconds, res.RSSReadyMB = srv.ready.Seconds(), srv.rssMB()
	fmt.Fprintf(log, "bench: server ready in %.1f s on %d events; load for %s…\n", res.ReadySeconds, res.Events, c.duration)

	profiled := make(chan error, 1)
	if c.cpuProfile != "" {
		go func() { profiled <- srv.cpuProfile(ctx, c.duration, c.cpuProfile) }()
	} else {
		profiled <- nil
	}
	if err := drive(ctx, srv, others, c, res); err != nil {
		return nil, err
	}
	if err := <-profiled; err != nil {
		return nil, err
	}
	res.RSSMB, res.RSSPeakMB = srv.rssMB(), srv.rssPeakMB()
	fmt.Fprintf(log, "bench: raw single-insert baseline again…\n")
	if res.RawAfter, err = raw.Rate(ctx, 1, c.raw); err != nil {
		return nil, err
	}
	for _, s := range append([]*benchServer{srv}, others...) {
		if err := s.failed(); err != nil {
			return nil, err
		}
	}
	res.Raw = (res.RawBefore + res.RawAfter) / 2
	if res.Raw > 0 {
		res.Ratio = res.CommandsPerSecond / res.Raw
	}
	res.Targets = res.targets()
	return res, nil
}

// benchStore names the run's store for the subcommands it runs, and the
// binary that runs them.
type benchStore struct {
	binary   string // the careledger binary measured
	data     string // the data directory (the SQLite store, the keys)
	postgres string // the database's URL, when on PostgreSQL
}

func (s benchStore) args() []string {
	args := []string{"--data", s.data}
	if s.postgres != "" {
		args = append(args, "--postgres", s.postgres)
	}
	return args
}

// head is the number of events in the store.
func (s benchStore) head(ctx context.Context, log io.Writer) (int64, error) {
	out, err := s.output(ctx, log, "head")
	if err != nil {
		return 0, err
	}
	var h struct {
		Position int64 `json:"position"`
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		return 0, fmt.Errorf("careledger head: %w", err)
	}
	return h.Position, nil
}

// run runs a subcommand of this binary on the store and returns its stdout.
func (s benchStore) run(ctx context.Context, log io.Writer, command ...string) error {
	_, err := s.output(ctx, log, command...)
	return err
}
