package caseview_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/tests/readtest"
)

// BenchmarkApply measures the case view's Apply alone over the synthetic
// county (enginetest.BenchApply); BenchmarkRebuild the engine's whole
// rebuild of the view, reading included (enginetest.BenchRebuild).
//
//	CARELEDGER_TEST_POSTGRES=postgres://… go test -run '^$' -bench . -benchtime 3x ./projections/caseview/
func BenchmarkApply(b *testing.B) { readtest.BenchApply(b, caseview.Projection{}) }

func BenchmarkRebuild(b *testing.B) { readtest.BenchRebuild(b, caseview.Projection{}) }

// BenchmarkCaseload measures the caseload of the whole synthetic county
// (GET /v1/caseload?jurisdiction=370902), one query at a time.
func BenchmarkCaseload(b *testing.B) {
	readtest.OnEachBackend(b, func(b *testing.B, fresh func(testing.TB) enginetest.Backend) {
		ctx := context.Background()
		bk := fresh(b)
		readtest.SynthCounty(b, bk.Store)
		e := engine.New(bk.Store, bk.DB, engine.Options{}, caseview.Projection{})
		require.NoError(b, e.Migrate(ctx))
		require.NoError(b, e.CatchUp(ctx))
		county, err := domain.ParseJurisdiction("370902")
		require.NoError(b, err)
		b.ResetTimer()
		for b.Loop() {
			items, err := caseview.Caseload(ctx, bk.DB, county, "")
			require.NoError(b, err)
			require.NotEmpty(b, items)
		}
	})
}
