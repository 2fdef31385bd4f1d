package timeline_test

import (
	"testing"

	"github.com/careledger/careledger/projections/timeline"
	"github.com/careledger/careledger/tests/readtest"
)

// BenchmarkApply measures the timeline's Apply alone over the synthetic
// county (enginetest.BenchApply).
func BenchmarkApply(b *testing.B) { readtest.BenchApply(b, timeline.Projection{}) }
