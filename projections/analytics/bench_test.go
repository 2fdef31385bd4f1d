package analytics_test

import (
	"testing"

	"github.com/careledger/careledger/projections/analytics"
	"github.com/careledger/careledger/tests/readtest"
)

// BenchmarkApply measures the statistics' Apply alone over the synthetic
// county (enginetest.BenchApply); BenchmarkRebuild the engine's whole
// rebuild of them, reading included (enginetest.BenchRebuild).
//
//	CARELEDGER_TEST_POSTGRES=postgres://… go test -run '^$' -bench . -benchtime 3x ./projections/analytics/
func BenchmarkApply(b *testing.B) { readtest.BenchApply(b, analytics.Projection{}) }

func BenchmarkRebuild(b *testing.B) { readtest.BenchRebuild(b, analytics.Projection{}) }
