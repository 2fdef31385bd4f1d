package caseview_test

import (
	"testing"

	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// BenchmarkApply measures the case view's Apply alone over the synthetic
// county (enginetest.BenchApply); BenchmarkRebuild the engine's whole
// rebuild of the view, reading included (enginetest.BenchRebuild).
//
//	CARELEDGER_TEST_POSTGRES=postgres://… go test -run '^$' -bench . -benchtime 3x ./projections/caseview/
func BenchmarkApply(b *testing.B) { enginetest.BenchApply(b, caseview.Projection{}) }

func BenchmarkRebuild(b *testing.B) { enginetest.BenchRebuild(b, caseview.Projection{}) }
