package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBenchTargetsJudgeEachGoal(t *testing.T) {
	r := &benchResult{Writers: 8, Readers: 8, Ratio: 0.4, CommandP99: 49, QueryP99: 12,
		LagP99: 0.5, CatchUpSeconds: 1.5, Events: 1_000_000, ReadySeconds: 8, RSSPeakMB: 300}
	got := map[string]bool{}
	for _, tg := range r.targets() {
		got[tg.Name] = tg.Met
	}
	assert.Equal(t, map[string]bool{
		"commands / raw single insert":             false,
		"command p99":                              true,
		"query p99":                                false,
		"projection lag p99":                       true,
		"catch-up after the load":                  false,
		"ready at (events at start / ready after)": true,  // 125,000 events/s
		"server RSS, peak":                         false, // 300 is not below 300
	}, got)

	var out bytes.Buffer
	printTargets(&out, r.targets())
	require.Contains(t, out.String(), "query p99")
	assert.Contains(t, out.String(), "✗ not met")
	assert.Contains(t, out.String(), "✓ met")
}

func TestBenchTargetsOnlyWhatWasMeasured(t *testing.T) {
	r := &benchResult{Readers: 4, QueryP99: 3, RSSPeakMB: 100}
	var names []string
	for _, tg := range r.targets() {
		names = append(names, tg.Name)
	}
	assert.Equal(t, []string{"query p99", "server RSS, peak"}, names)
}
