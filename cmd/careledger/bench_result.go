package main

import (
	"fmt"
	"io"
	"runtime"
)

// benchResult is what one bench run measured.
type benchResult struct {
	Backend string `json:"backend"`
	Nodes   int    `json:"nodes"`
	Writers int    `json:"writers"`
	// Rate is the writers' bound in commands a second (0: none).
	Rate     float64 `json:"rate,omitempty"`
	Readers  int     `json:"readers"`
	Duration string  `json:"duration"`
	Children int     `json:"children"`
	// Events is how many events the store held when the server started;
	// LoadSeconds how long loading the demo county took.
	Events      int64   `json:"events_at_start"`
	LoadSeconds float64 `json:"load_seconds,omitempty"`
	// ReadySeconds is from starting the process until /readyz answered 200.
	ReadySeconds float64 `json:"ready_seconds"`

	Commands          int            `json:"commands"`
	CommandsPerSecond float64        `json:"commands_per_second"`
	CommandP50        float64        `json:"command_p50_ms"`
	CommandP99        float64        `json:"command_p99_ms"`
	CommandErrors     map[string]int `json:"command_errors,omitempty"`
	// CommandKinds are the commands by kind.
	CommandKinds []kindResult   `json:"command_kinds,omitempty"`
	Queries      int            `json:"queries"`
	QueryP50     float64        `json:"query_p50_ms"`
	QueryP99     float64        `json:"query_p99_ms"`
	QueryErrors  map[string]int `json:"query_errors,omitempty"`
	// QueryKinds are the queries by kind: where their p99 comes from.
	QueryKinds []kindResult `json:"query_kinds,omitempty"`
	// LagP99 and LagMax are of the projections' lag in seconds, sampled
	// every 100 ms during the load; CatchUpSeconds is from the last
	// acknowledged command until every projection had applied the log.
	LagP99         float64 `json:"lag_p99_seconds"`
	LagMax         float64 `json:"lag_max_seconds"`
	CatchUpSeconds float64 `json:"catch_up_seconds"`

	// CPU is where the machine's CPU went during the load (Linux).
	CPU *benchCPU `json:"cpu,omitempty"`

	RSSReadyMB float64 `json:"rss_ready_mb"`
	RSSMB      float64 `json:"rss_after_load_mb"`
	RSSPeakMB  float64 `json:"rss_peak_mb"`

	// The raw single-insert rate of the same disk, before and after the
	// load, their mean, and commands/s over that mean.
	RawBefore float64 `json:"raw_inserts_per_second_before"`
	RawAfter  float64 `json:"raw_inserts_per_second_after"`
	Raw       float64 `json:"raw_inserts_per_second"`
	Ratio     float64 `json:"ratio_commands_to_raw"`

	// Targets is the run judged against the performance issue's targets.
	Targets []benchTarget `json:"targets"`
}

func (r *benchResult) print(w io.Writer) {
	servers := ""
	if r.Nodes > 1 {
		servers = fmt.Sprintf("%d servers, ", r.Nodes)
	}
	rate := ""
	if r.Rate > 0 {
		rate = fmt.Sprintf(" (at most %g commands/s)", r.Rate)
	}
	fmt.Fprintf(w, "careledger bench — %s, %s%d writers%s, %d readers, %s, %d CPUs (%s/%s)\n",
		r.Backend, servers, r.Writers, rate, r.Readers, r.Duration, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	if r.Children > 0 {
		fmt.Fprintf(w, "  store at start      %d events (demo county of %d children, loaded in %.1f s)\n", r.Events, r.Children, r.LoadSeconds)
	} else {
		fmt.Fprintf(w, "  store at start      %d events\n", r.Events)
	}
	fmt.Fprintf(w, "  ready after         %.2f s\n", r.ReadySeconds)
	if r.Writers > 0 {
		fmt.Fprintf(w, "  commands            %d, %.0f/s, p50 %.1f ms, p99 %.1f ms\n", r.Commands, r.CommandsPerSecond, r.CommandP50, r.CommandP99)
		printKinds(w, r.CommandKinds)
	}
	if r.Readers > 0 {
		fmt.Fprintf(w, "  queries             %d, p50 %.1f ms, p99 %.1f ms\n", r.Queries, r.QueryP50, r.QueryP99)
		printKinds(w, r.QueryKinds)
	}
	fmt.Fprintf(w, "  projection lag      p99 %.2f s, max %.2f s; caught up %.2f s after the last command\n", r.LagP99, r.LagMax, r.CatchUpSeconds)
	r.CPU.print(w)
	fmt.Fprintf(w, "  server RSS          %.0f MB ready, %.0f MB after the load, peak %.0f MB\n", r.RSSReadyMB, r.RSSMB, r.RSSPeakMB)
	fmt.Fprintf(w, "  raw single insert   %.0f/s (before %.0f/s, after %.0f/s; one writer, one INSERT per transaction)\n", r.Raw, r.RawBefore, r.RawAfter)
	if r.Writers > 0 {
		fmt.Fprintf(w, "  ratio               %.2f× the raw single-insert rate\n", r.Ratio)
	}
	printTargets(w, r.Targets)
}

// kindResult is the latencies of one kind of command or query.
type kindResult struct {
	Kind  string  `json:"kind"`
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
}

func printKinds(w io.Writer, kinds []kindResult) {
	for _, k := range kinds {
		fmt.Fprintf(w, "    %-25s %d, p50 %.1f ms, p99 %.1f ms\n", k.Kind, k.Count, k.P50, k.P99)
	}
}
