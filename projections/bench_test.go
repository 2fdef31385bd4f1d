package projections_test

import (
	"testing"

	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/tests/readtest"
)

// BenchmarkRebuild rebuilds every read model (projections.All) over the
// synthetic county (enginetest.BenchRebuild). The figure is
// measured at about a million events:
//
//	CARELEDGER_BENCH_CHILDREN=56000 CARELEDGER_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench Rebuild -benchtime 1x -timeout 60m ./projections/
//
// With CARELEDGER_BENCH_SEALED=1 the county is written and read through the
// store that seals personal data, as serve and 'projections rebuild' do.
func BenchmarkRebuild(b *testing.B) { readtest.BenchRebuild(b, projections.All()...) }
