package projections_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
)

// foldedCase is what the statistics oracle knows of one case.
type foldedCase struct {
	c                          *domain.Case
	response, police, assessed *time.Time
}

// foldCases folds every case stream with the domain's aggregate and reads
// the response moments off its events.
func foldCases(t *testing.T, store eventstore.Store) []foldedCase {
	all, err := store.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	streams := map[string][]eventstore.Event{}
	for _, e := range all {
		if e.StreamType == domain.StreamCase {
			streams[e.StreamID] = append(streams[e.StreamID], e)
		}
	}
	earliest := func(p **time.Time, t time.Time) {
		if *p == nil || t.Before(**p) {
			*p = &t
		}
	}
	var out []foldedCase
	for _, stored := range streams {
		history, err := commands.DecodeEvents(domain.NewRegistry(), stored)
		require.NoError(t, err)
		f := foldedCase{c: domain.LoadCase(domain.ChildFacts{}, history)}
		for _, r := range history {
			switch r.Event.(type) {
			case domain.ReportForwardedToPolice:
				earliest(&f.police, r.OccurredAt)
			case domain.EmergencyResponseRecorded, domain.FollowUpRecorded:
				earliest(&f.response, r.OccurredAt)
			case domain.AssessmentCompleted:
				earliest(&f.response, r.OccurredAt)
				earliest(&f.assessed, r.OccurredAt)
			}
		}
		out = append(out, f)
	}
	return out
}

// statsFromCases groups folded cases as CaseStats does.
func statsFromCases(cases []foldedCase, groupBy string, from, to time.Time, prefix string) projections.StatsResult {
	type acc struct {
		n                          int
		response, police, assessed []time.Duration
	}
	groups := map[string]*acc{}
	for _, f := range cases {
		received := f.c.ReceivedAt()
		if (!from.IsZero() && received.Before(from)) || (!to.IsZero() && !received.Before(to)) ||
			!strings.HasPrefix(f.c.Jurisdiction().String(), prefix) {
			continue
		}
		var keys []string
		switch groupBy {
		case "jurisdiction":
			keys = []string{f.c.Jurisdiction().String()}
		case "month":
			keys = []string{received.In(domain.ChinaStandardTime).Format("2006-01")}
		case "source":
			keys = []string{f.c.Source().String()}
		case "risk":
			keys = []string{f.c.Risk().String()}
		case "concern":
			for _, c := range f.c.Concerns() {
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
			if f.response != nil {
				a.response = append(a.response, f.response.Sub(received))
			}
			if f.police != nil {
				a.police = append(a.police, f.police.Sub(received))
			}
			if f.assessed != nil {
				a.assessed = append(a.assessed, f.assessed.Sub(received))
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
		if len(ds) == 0 {
			return nil
		}
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
	out := projections.StatsResult{GroupBy: groupBy, Groups: []projections.StatsGroup{}}
	for k, a := range groups {
		out.Groups = append(out.Groups, projections.StatsGroup{Key: k, Count: a.n,
			MedianFirstResponseHours: median(a.response), MedianPoliceReportHours: median(a.police),
			MedianAssessmentHours: median(a.assessed), P90FirstResponseHours: p90(a.response)})
	}
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	return out
}

// TestStatsOracle: the statistics equal counts and percentiles computed
// from the cases folded by the domain, for every grouping, a window and a
// jurisdiction; a rebuild gives the same.
func TestStatsOracle(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		e := projections.New(b.store, b.db, b.dialect, projections.Options{Batch: 5, Poll: 2 * time.Millisecond}, projections.Analytics{})
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		clockWorkload(t, b.store, 13)
		workload(t, b.store, 21, 2, 20)
		waitHead(t, e, b.store)
		cancel()
		require.NoError(t, <-done)

		cases := foldCases(t, b.store)
		require.NotEmpty(t, cases)
		check := func() {
			for _, q := range []struct {
				from, to time.Time
				prefix   string
			}{
				{},
				{from: policyChangedAt, prefix: "370902"},
				{from: now.Add(-50 * 24 * time.Hour), to: policyChangedAt, prefix: "370902101201"},
				{prefix: "3709029"},
			} {
				for _, g := range []string{"jurisdiction", "month", "concern", "source", "risk"} {
					want := statsFromCases(cases, g, q.from, q.to, q.prefix)
					got, err := projections.CaseStats(ctx, b.db, b.dialect, g, q.from, q.to, q.prefix)
					require.NoError(t, err)
					assert.Equal(t, want, got, fmt.Sprintf("%s %+v", g, q))
				}
			}
		}
		check()
		all, err := projections.CaseStats(ctx, b.db, b.dialect, "risk", time.Time{}, time.Time{}, "all")
		require.NoError(t, err)
		total := 0
		for _, g := range all.Groups {
			total += g.Count
		}
		assert.Equal(t, len(cases), total)
		withTimes := false
		for _, g := range all.Groups {
			withTimes = withTimes || (g.MedianPoliceReportHours != nil && g.MedianAssessmentHours != nil && g.P90FirstResponseHours != nil)
		}
		assert.True(t, withTimes, "the workload gives response times to measure")

		rebuildFromScratch(t, b, projections.Analytics{})
		check()

		_, err = projections.CaseStats(ctx, b.db, b.dialect, "name", time.Time{}, time.Time{}, "")
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
}

// TestStatsHoldNoPersonalData: no name, guardian, summary or child id
// reaches the statistics tables.
func TestStatsHoldNoPersonalData(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clockWorkload(t, b.store, 14)
		workload(t, b.store, 22, 1, 10)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.Analytics{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))

		var forbidden []string
		all, err := b.store.ReadLog(ctx, 0, 0)
		require.NoError(t, err)
		for _, ev := range all {
			if ev.StreamType == domain.StreamChild {
				forbidden = append(forbidden, strings.TrimPrefix(ev.StreamID, "child-"))
			}
		}
		forbidden = append(forbidden, "小明", "小红", "小刚", "张三", "祖父", "来电", "王芳")
		for _, table := range (projections.Analytics{}).Tables() {
			rows, err := b.db.Query(`SELECT * FROM ` + table)
			require.NoError(t, err)
			cols, err := rows.Columns()
			require.NoError(t, err)
			for _, c := range cols {
				assert.NotContains(t, []string{"child_id", "name", "id_number", "address", "phone", "summary", "guardian"}, c)
			}
			n := 0
			for rows.Next() {
				n++
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				require.NoError(t, rows.Scan(ptrs...))
				for i, v := range vals {
					text := fmt.Sprintf("%s", v)
					for _, word := range forbidden {
						assert.NotContains(t, text, word, "%s.%s", table, cols[i])
					}
				}
			}
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
			assert.Positive(t, n, table)
		}
	})
}
