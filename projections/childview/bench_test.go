package childview_test

import (
	"testing"

	"github.com/careledger/careledger/projections/childview"
	"github.com/careledger/careledger/tests/readtest"
)

// BenchmarkApply measures the child view's Apply alone over the synthetic
// county (enginetest.BenchApply).
func BenchmarkApply(b *testing.B) { readtest.BenchApply(b, childview.Projection{}) }
