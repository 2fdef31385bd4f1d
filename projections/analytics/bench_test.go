package analytics_test

import (
	"testing"

	"github.com/careledger/careledger/projections/analytics"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// BenchmarkApply measures the statistics' Apply alone over the synthetic
// county (enginetest.BenchApply); BenchmarkRebuild the engine's whole
// rebuild of them, reading included (enginetest.BenchRebuild).
//
//	CARELEDGER_TEST_POSTGRES=postgres://… go test -run '^$' -bench . -benchtime 3x ./projections/analytics/
func BenchmarkApply(b *testing.B) { enginetest.BenchApply(b, analytics.Projection{}) }

func BenchmarkRebuild(b *testing.B) { enginetest.BenchRebuild(b, analytics.Projection{}) }
