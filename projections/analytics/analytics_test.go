package analytics_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/analytics"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// foldCases folds every case stream of the log with domain.FoldCase.
func foldCases(t *testing.T, store eventstore.Store) []domain.CaseFacts {
	var out []domain.CaseFacts
	for _, history := range commandstest.Streams(t, store, domain.StreamCase) {
		out = append(out, domain.FoldCase(history))
	}
	return out
}

// statsFromFacts groups folded cases as Stats documents it, computing the
// percentiles its own way.
func statsFromFacts(cases []domain.CaseFacts, groupBy string, from, to time.Time, within domain.Jurisdiction) analytics.Result {
	type acc struct {
		n                          int
		response, police, assessed []time.Duration
	}
	groups := map[string]*acc{}
	for _, f := range cases {
		received := f.ReceivedAt
		if (!from.IsZero() && received.Before(from)) || (!to.IsZero() && !received.Before(to)) ||
			(!within.IsZero() && !within.Covers(f.Jurisdiction)) {
			continue
		}
		var keys []string
		switch groupBy {
		case "jurisdiction":
			keys = []string{f.Jurisdiction.String()}
		case "county":
			keys = []string{f.Jurisdiction.String()[:6]}
		case "month":
			keys = []string{received.In(domain.ChinaStandardTime).Format("2006-01")}
		case "source":
			keys = []string{f.Source.String()}
		case "risk":
			keys = []string{f.Risk.String()}
		case "concern":
			for _, c := range f.Concerns {
				keys = append(keys, c.String())
			}
		}
		for _, k := range keys {
			a := groups[k]
			if a == nil {
				a = &acc{}
				groups[k] = a
			}
			a.n++
			if f.FirstResponseAt != nil {
				a.response = append(a.response, f.FirstResponseAt.Sub(received))
			}
			if f.PoliceReportedAt != nil {
				a.police = append(a.police, f.PoliceReportedAt.Sub(received))
			}
			if len(f.Assessments) > 0 {
				a.assessed = append(a.assessed, f.Assessments[0].Sub(received))
			}
		}
	}
	median := func(ds []time.Duration) *float64 {
		if len(ds) == 0 {
			return nil
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		m := ds[len(ds)/2].Hours()
		if len(ds)%2 == 0 {
			m = (ds[len(ds)/2-1].Hours() + ds[len(ds)/2].Hours()) / 2
		}
		return &m
	}
	p90 := func(ds []time.Duration) *float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		// Nearest rank: the smallest value with ≥ 90% at or below it.
		for i, d := range ds {
			if (i+1)*10 >= 9*len(ds) {
				h := d.Hours()
				return &h
			}
		}
		return nil
	}
	out := analytics.Result{GroupBy: groupBy, Groups: []analytics.Group{}}
	for k, a := range groups {
		n := a.n
		out.Groups = append(out.Groups, analytics.Group{Key: k, Count: &n,
			MedianFirstResponseHours: median(a.response), MedianPoliceReportHours: median(a.police),
			MedianAssessmentHours: median(a.assessed), P90FirstResponseHours: p90(a.response)})
	}
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	return out
}

// TestStatsOracle: while the engine runs, a synthetic county and
// concurrent writers fill the log; the statistics then equal counts and
// percentiles computed from domain.FoldCase of every case, for every
// grouping, windows and jurisdictions; a rebuild gives the same.
func TestStatsOracle(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 50, Poll: 2 * time.Millisecond}, analytics.Projection{})
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		_, err := synth.Make(ctx, b.Store, synth.County{Seed: 11, Children: 150}, nil)
		require.NoError(t, err)
		commandstest.Workload(t, b.Store, enginetest.Now, 21, 2, 20)
		enginetest.WaitHead(t, e, b.Store)
		cancel()
		require.NoError(t, <-done)

		cases := foldCases(t, b.Store)
		require.NotEmpty(t, cases)
		cst := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, domain.ChinaStandardTime) }
		queries := []struct {
			from, to time.Time
			within   domain.Jurisdiction
		}{
			{},
			{within: domain.All},
			{from: cst(2025, 4), within: enginetest.Jur(t, "370902")},
			{from: cst(2025, 2), to: cst(2025, 8), within: enginetest.Jur(t, "370902101")},
			{to: cst(2025, 10), within: enginetest.Jur(t, "370902101201")},
			{from: cst(2026, 1), within: enginetest.Jur(t, "37")},
			{within: enginetest.Jur(t, "11")},
		}
		check := func() {
			for _, q := range queries {
				for _, g := range analytics.Groupings() {
					want := statsFromFacts(cases, g, q.from, q.to, q.within)
					got, err := analytics.Stats(ctx, b.DB, g, q.from, q.to, q.within, analytics.Limits{})
					require.NoError(t, err)
					assert.Equal(t, want, got, fmt.Sprintf("%s %+v", g, q))
				}
			}
		}
		check()
		all, err := analytics.Stats(ctx, b.DB, "risk", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
		require.NoError(t, err)
		total := 0
		withTimes := false
		for _, g := range all.Groups {
			total += *g.Count
			withTimes = withTimes || (g.MedianPoliceReportHours != nil && g.MedianAssessmentHours != nil && g.P90FirstResponseHours != nil)
		}
		assert.Equal(t, len(cases), total)
		assert.True(t, withTimes, "the workload gives response times to measure")
		months, err := analytics.Stats(ctx, b.DB, "month", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
		require.NoError(t, err)
		assert.Greater(t, len(months.Groups), 6, "the county's year spreads over months")

		// Limits: keys cut to townships, groups under the minimum cell
		// withheld whole (no count, no percentile).
		places, err := analytics.Stats(ctx, b.DB, "jurisdiction", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
		require.NoError(t, err)
		byTownship := map[string]int{}
		for _, g := range places.Groups {
			byTownship[g.Key[:min(9, len(g.Key))]] += *g.Count
		}
		limited, err := analytics.Stats(ctx, b.DB, "jurisdiction", time.Time{}, time.Time{}, domain.All, analytics.Limits{MinCell: 30, PlaceDigits: 9})
		require.NoError(t, err)
		require.Len(t, limited.Groups, len(byTownship))
		suppressed := 0
		for _, g := range limited.Groups {
			assert.LessOrEqual(t, len(g.Key), 9, g.Key)
			if byTownship[g.Key] < 30 {
				suppressed++
				assert.Equal(t, analytics.Group{Key: g.Key, Suppressed: true}, g)
				continue
			}
			require.NotNil(t, g.Count, g.Key)
			assert.Equal(t, byTownship[g.Key], *g.Count, g.Key)
			assert.False(t, g.Suppressed)
		}
		assert.Positive(t, suppressed, "some township has fewer than 30 cases")
		assert.Less(t, suppressed, len(limited.Groups), "and some has more")

		enginetest.RebuildFromScratch(t, b, analytics.Projection{})
		check()

		_, err = analytics.Stats(ctx, b.DB, "name", time.Time{}, time.Time{}, domain.All, analytics.Limits{})
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
}

// TestStatsHoldNoPersonalData: no name, guardian, summary, child id or
// worker id reaches the statistics' tables, the facts snapshots included.
func TestStatsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		_, err := synth.Make(ctx, b.Store, synth.County{Seed: 14, Children: 40}, nil)
		require.NoError(t, err)
		commandstest.Workload(t, b.Store, enginetest.Now, 22, 1, 10)
		enginetest.CatchUp(t, b, analytics.Projection{})

		var forbidden []string
		all, err := b.Store.ReadLog(ctx, 0, 0)
		require.NoError(t, err)
		for _, ev := range all {
			stream, err := domain.ParseStreamID(ev.StreamID)
			require.NoError(t, err)
			if k := stream.Kind(); k == domain.StreamChild || k == domain.StreamWorker {
				forbidden = append(forbidden, stream.ID())
			}
		}
		require.NotEmpty(t, forbidden)
		forbidden = append(forbidden, "儿童", "监护人", "工作人员", "报告：", "小明", "张三", "王芳", "来电", "回访", "返校", "复查")
		for _, table := range (analytics.Projection{}).Tables() {
			cols, n := enginetest.HoldsNone(t, b.DB, table, forbidden)
			for _, c := range cols {
				assert.NotContains(t, []string{"child_id", "name", "id_number", "address", "phone", "summary", "guardian", "assignee"}, c)
			}
			assert.Positive(t, n, table)
		}
	})
}

func TestPercentiles(t *testing.T) {
	t.Parallel()
	h := func(hours ...int) []time.Duration {
		out := make([]time.Duration, len(hours))
		for i, x := range hours {
			out[i] = time.Duration(x) * time.Hour
		}
		return out
	}
	for _, c := range []struct {
		name        string
		ds          []time.Duration
		median, p90 float64
	}{
		{"one", h(5), 5, 5},
		{"odd, unsorted", h(9, 1, 5), 5, 9},
		{"even: the mean of the middle two", h(4, 1, 2, 8), 3, 8},
		{"ten: the ninth by nearest rank", h(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 5.5, 9},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ds := append([]time.Duration(nil), c.ds...)
			require.NotNil(t, analytics.MedianHours(c.ds))
			assert.Equal(t, c.median, *analytics.MedianHours(c.ds))
			assert.Equal(t, c.p90, *analytics.PercentileHours(c.ds, 90))
			assert.Equal(t, ds, c.ds, "the input is left in its order")
		})
	}
	assert.Nil(t, analytics.MedianHours(nil))
	assert.Nil(t, analytics.PercentileHours(nil, 90))
}
