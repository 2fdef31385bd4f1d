package timeline_test

import (
	"testing"

	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/timeline"
)

// BenchmarkApply measures the timeline's Apply alone over the synthetic
// county (enginetest.BenchApply).
func BenchmarkApply(b *testing.B) { enginetest.BenchApply(b, timeline.Projection{}) }
