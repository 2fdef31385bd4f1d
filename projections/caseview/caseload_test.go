package caseview_test

import (
	"context"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/tests/readtest"
)

// caseloadFromEvents counts open cases per worker from domain.FoldCase of
// every case stream, by the rules Caseload documents.
func caseloadFromEvents(t *testing.T, store eventstore.Store, within domain.Jurisdiction, worker string) []caseview.CaseloadItem {
	byWorker := map[string]*caseview.CaseloadItem{}
	for _, history := range commandstest.Streams(t, store, domain.StreamCase) {
		f := domain.FoldCase(history)
		if f.Status != domain.StatusOpen {
			continue
		}
		if !within.IsZero() && !within.Covers(f.Jurisdiction) {
			continue
		}
		if worker != "" && f.Assignee != worker {
			continue
		}
		item := byWorker[f.Assignee]
		if item == nil {
			item = &caseview.CaseloadItem{WorkerID: f.Assignee}
			byWorker[f.Assignee] = item
		}
		item.Open++
		switch {
		case f.GuardianshipActive():
			item.ByStatus.InGuardianship++
		case f.Assignee == "":
			item.ByStatus.Unassigned++
		default:
			item.ByStatus.Assigned++
		}
		switch f.Risk {
		case domain.RiskHigh:
			item.ByRisk.High++
		case domain.RiskMedium:
			item.ByRisk.Medium++
		case domain.RiskLow:
			item.ByRisk.Low++
		default:
			t.Fatalf("case %s: risk %q", history[0].StreamID, f.Risk)
		}
	}
	out := []caseview.CaseloadItem{}
	for _, item := range byWorker {
		out = append(out, *item)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].WorkerID < out[j].WorkerID })
	return out
}

// TestCaseloadOracle: the caseload, read from the case view, equals counts
// of the domain's fold of every case, for every filter, before and after a
// rebuild of the case view.
func TestCaseloadOracle(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := readtest.RunWhileSeeded(t, b, 21, 3, 30, caseview.Projection{})

		filters := []struct {
			name   string
			within domain.Jurisdiction
			worker string
		}{
			{"everything", domain.Jurisdiction{}, ""},
			{"all", domain.All, ""},
			{"province", enginetest.Jur(t, "37"), ""},
			{"county 370902", enginetest.Jur(t, "370902"), ""},
			{"county 370102", enginetest.Jur(t, "370102"), ""},
			{"village", enginetest.Jur(t, "370902101201"), ""},
			{"nowhere", enginetest.Jur(t, "11"), ""},
			{"worker 1", domain.Jurisdiction{}, s.Caseworker1},
			{"worker 2 in its county", enginetest.Jur(t, "370102"), s.Caseworker2},
			{"worker 2 outside its county", enginetest.Jur(t, "370902"), s.Caseworker2},
		}
		check := func(t *testing.T) {
			for _, f := range filters {
				want := caseloadFromEvents(t, b.Store, f.within, f.worker)
				got, err := caseview.Caseload(ctx, b.DB, f.within, f.worker)
				require.NoError(t, err, f.name)
				assert.Equal(t, want, got, f.name)
			}
		}
		check(t)

		// What the seed makes certain: A2 open and unassigned, C in
		// temporary guardianship with worker 2, A1 closed.
		all, err := caseview.Caseload(ctx, b.DB, domain.Jurisdiction{}, "")
		require.NoError(t, err)
		byWorker := map[string]caseview.CaseloadItem{}
		for _, it := range all {
			byWorker[it.WorkerID] = it
		}
		require.Contains(t, byWorker, "")
		assert.Positive(t, byWorker[""].ByStatus.Unassigned)
		assert.Zero(t, byWorker[""].ByStatus.Assigned)
		assert.Equal(t, caseview.CaseloadItem{WorkerID: s.Caseworker2, Open: 1,
			ByStatus: caseview.StatusCounts{InGuardianship: 1},
			ByRisk:   caseview.RiskCounts{High: 1}}, byWorker[s.Caseworker2])
		for _, it := range all {
			assert.Equal(t, it.Open, it.ByStatus.Assigned+it.ByStatus.InGuardianship+it.ByStatus.Unassigned, "each open case has one status")
			assert.Equal(t, it.Open, it.ByRisk.High+it.ByRisk.Medium+it.ByRisk.Low, "each open case has one risk")
		}

		// The counts kept ahead are the same rows whether the log came in
		// the live path's batches or in one rebuild, and none is 0.
		counts := func() []string {
			rows, err := b.DB.SQL.QueryContext(ctx, `SELECT area || '|' || assignee || '|' || open || '|' || assigned || '|' || in_guardianship
				|| '|' || unassigned || '|' || high || '|' || medium || '|' || low FROM rm_caseload ORDER BY 1`)
			require.NoError(t, err)
			defer rows.Close()
			var out []string
			for rows.Next() {
				var r string
				require.NoError(t, rows.Scan(&r))
				assert.NotRegexp(t, `^[^|]*\|[^|]*\|0\|`, r, "a row with no open case")
				out = append(out, r)
			}
			require.NoError(t, rows.Err())
			return out
		}
		live := counts()
		require.NotEmpty(t, live)
		enginetest.RebuildFromScratch(t, b, caseview.Projection{})
		check(t)
		assert.Equal(t, live, counts())
	})
}

// TestCaseloadOfAnEmptyView: no case, no item, whatever the scope.
func TestCaseloadOfAnEmptyView(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		enginetest.CatchUp(t, b, caseview.Projection{})
		for _, within := range []domain.Jurisdiction{{}, domain.All, enginetest.Jur(t, "370902")} {
			items, err := caseview.Caseload(context.Background(), b.DB, within, "")
			require.NoError(t, err)
			assert.NotNil(t, items)
			assert.Empty(t, items)
		}
	})
}
