package main

import (
	"fmt"
	"io"
)

// benchTarget is one of the performance issue's targets, as this run
// measured it.
type benchTarget struct {
	Name     string  `json:"name"`
	Measured float64 `json:"measured"`
	Goal     float64 `json:"goal"`
	Unit     string  `json:"unit"`
	// AtMost: the goal is a ceiling (latency, memory), not a floor.
	AtMost bool `json:"at_most"`
	Met    bool `json:"met"`
}

// targets judges the run against the targets of the performance issue
// (#15): each as measured, against its goal. Only what the run measured
// is judged: commands when it wrote, queries when it read.
func (r *benchResult) targets() []benchTarget {
	var out []benchTarget
	add := func(name string, measured, goal float64, unit string, atMost bool) {
		met := measured >= goal
		if atMost {
			met = measured < goal
		}
		out = append(out, benchTarget{Name: name, Measured: measured, Goal: goal, Unit: unit, AtMost: atMost, Met: met})
	}
	if r.Writers > 0 {
		add("commands / raw single insert", r.Ratio, 1, "×", false)
		add("command p99", r.CommandP99, 50, "ms", true)
	}
	if r.Readers > 0 {
		add("query p99", r.QueryP99, 10, "ms", true)
	}
	if r.Writers > 0 {
		add("projection lag p99", r.LagP99, 1, "s", true)
		add("catch-up after the load", r.CatchUpSeconds, 1, "s", true)
	}
	if r.Events > 0 && r.ReadySeconds > 0 {
		// The server starts on a store whose read models are empty: from
		// process start to /readyz, every projection is built from the log.
		add("ready at (events at start / ready after)", float64(r.Events)/r.ReadySeconds, 100000, "events/s", false)
	}
	add("server RSS, peak", r.RSSPeakMB, 300, "MB", true)
	return out
}

func printTargets(w io.Writer, ts []benchTarget) {
	fmt.Fprintln(w, "  targets (#15)")
	for _, t := range ts {
		mark, cmp := "✗ not met", "≥"
		if t.Met {
			mark = "✓ met"
		}
		if t.AtMost {
			cmp = "<"
		}
		fmt.Fprintf(w, "    %-42s %10.2f %-8s goal %s %g %-8s %s\n", t.Name, t.Measured, t.Unit, cmp, t.Goal, t.Unit, mark)
	}
}
