package caseview_test

import (
	"testing"

	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/tests/readtest"
)

// BenchmarkApply measures the case view's Apply alone over the synthetic
// county (enginetest.BenchApply); BenchmarkRebuild the engine's whole
// rebuild of the view, reading included (enginetest.BenchRebuild).
//
//	CARELEDGER_TEST_POSTGRES=postgres://… go test -run '^$' -bench . -benchtime 3x ./projections/caseview/
func BenchmarkApply(b *testing.B) { readtest.BenchApply(b, caseview.Projection{}) }

func BenchmarkRebuild(b *testing.B) { readtest.BenchRebuild(b, caseview.Projection{}) }
