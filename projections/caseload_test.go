package projections_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
)

// caseloadFromEvents counts open cases per worker from the domain's fold of
// every case stream, by the rules Caseload documents.
func caseloadFromEvents(t *testing.T, store eventstore.Store, prefix, worker string) []projections.CaseloadItem {
	byWorker := map[string]*projections.CaseloadItem{}
	for _, history := range streamsOf(t, store, domain.StreamCase) {
		c := domain.LoadCase(domain.ChildFacts{}, history)
		if c.Status() != domain.StatusOpen {
			continue
		}
		if prefix != "" && prefix != "all" && !strings.HasPrefix(c.Jurisdiction().String(), prefix) {
			continue
		}
		if worker != "" && c.Assignee() != worker {
			continue
		}
		status := "assigned"
		switch {
		case c.Guardianship() != nil && c.Guardianship().Active:
			status = "in_guardianship"
		case c.Assignee() == "":
			status = "unassigned"
		}
		item := byWorker[c.Assignee()]
		if item == nil {
			item = &projections.CaseloadItem{WorkerID: c.Assignee(),
				ByStatus: map[string]int{"unassigned": 0, "assigned": 0, "in_guardianship": 0},
				ByRisk:   map[string]int{"high": 0, "medium": 0, "low": 0}}
			byWorker[c.Assignee()] = item
		}
		item.Open++
		item.ByStatus[status]++
		item.ByRisk[c.Risk().String()]++
	}
	out := []projections.CaseloadItem{}
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
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		var seed childSeed
		runWhile(t, b, func() {
			seed = childWorkload(t, b.store)
			workload(t, b.store, 21, 3, 30)
		}, projections.Cases{})

		filters := []struct{ name, prefix, worker string }{
			{"everything", "", ""},
			{"all", "all", ""},
			{"province", "37", ""},
			{"county 370902", "370902", ""},
			{"county 370102", "370102", ""},
			{"village", "370902101201", ""},
			{"nowhere", "11", ""},
			{"worker 1", "", seed.Caseworker1},
			{"worker 2 in its county", "370102", seed.Caseworker2},
			{"worker 2 outside its county", "370902", seed.Caseworker2},
		}
		check := func(t *testing.T) {
			for _, f := range filters {
				want := caseloadFromEvents(t, b.store, f.prefix, f.worker)
				got, err := projections.Caseload(ctx, b.db, f.prefix, f.worker)
				require.NoError(t, err, f.name)
				assert.Equal(t, want, got, f.name)
			}
		}
		check(t)

		// What the seed makes certain: A2 open and unassigned, C in
		// temporary guardianship with worker 2, A1 closed.
		all, err := projections.Caseload(ctx, b.db, "", "")
		require.NoError(t, err)
		byWorker := map[string]projections.CaseloadItem{}
		for _, it := range all {
			byWorker[it.WorkerID] = it
		}
		require.Contains(t, byWorker, "")
		assert.Positive(t, byWorker[""].ByStatus["unassigned"])
		assert.Zero(t, byWorker[""].ByStatus["assigned"])
		assert.Equal(t, projections.CaseloadItem{WorkerID: seed.Caseworker2, Open: 1,
			ByStatus: map[string]int{"unassigned": 0, "assigned": 0, "in_guardianship": 1},
			ByRisk:   map[string]int{"high": 1, "medium": 0, "low": 0}}, byWorker[seed.Caseworker2])
		for _, it := range all {
			sum := 0
			for _, n := range it.ByStatus {
				sum += n
			}
			assert.Equal(t, it.Open, sum, "each open case has one status")
		}

		rebuildFromScratch(t, b, projections.Cases{})
		check(t)
	})
}

func TestCaseloadRefusesABadPrefix(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.Cases{})
		require.NoError(t, e.Migrate(ctx))
		for _, prefix := range []string{"37%", "3709_2", "370902' OR '1'='1", "3709021", "ALL"} {
			_, err := projections.Caseload(ctx, b.db, prefix, "")
			var invalid *domain.InvalidError
			assert.ErrorAs(t, err, &invalid, prefix)
		}
		items, err := projections.Caseload(ctx, b.db, "all", "")
		require.NoError(t, err)
		assert.Empty(t, items)
	})
}
