package deadlines_test

import (
	"context"
	"database/sql"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// table reads rm_deadlines as stored, columns and all, by key.
func table(t testing.TB, b enginetest.Backend) map[string][]any {
	rows, err := b.DB.SQL.Query(`SELECT deadline_key, status, owner, owners, due_at, met_at, stream_id, opened_seq FROM rm_deadlines`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string][]any{}
	for rows.Next() {
		var key, status, owner, owners, stream string
		var due, met any
		var pos int64
		require.NoError(t, rows.Scan(&key, &status, &owner, &owners, &due, &met, &stream, &pos))
		out[key] = []any{status, owner, owners, due, met, stream, pos}
	}
	require.NoError(t, rows.Err())
	return out
}

// TestTickSweepsMissed: Tick turns an open obligation due before now
// missed, with its owner at the due time, and leaves one due after open —
// two obligations a transaction here, so that the sweep takes several;
// queries judge the same with or without Tick, and their filters select.
func TestTickSweepsMissed(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		policyChangedAt := commandstest.ClockWorkload(t, b.Store, enginetest.Now, 12)
		view := deadlines.NewTickingInPiecesOf(2)
		e := enginetest.CatchUp(t, b, view)

		// A moment by which some open obligations have fallen due and
		// others not.
		var open []row
		for _, r := range stored(t, b) {
			if r.Status == "open" {
				open = append(open, r)
			}
		}
		sort.Slice(open, func(i, j int) bool { return open[i].Due < open[j].Due })
		require.GreaterOrEqual(t, len(open), 2)
		cut, err := time.Parse(time.RFC3339Nano, open[len(open)/2].Due)
		require.NoError(t, err)
		cut = cut.Add(time.Second)
		var dueBefore, dueAfter []string
		for _, r := range open {
			if due, _ := time.Parse(time.RFC3339Nano, r.Due); due.Before(cut) {
				dueBefore = append(dueBefore, r.Key)
			} else {
				dueAfter = append(dueAfter, r.Key)
			}
		}
		require.NotEmpty(t, dueBefore)
		require.NotEmpty(t, dueAfter)

		query := func(f deadlines.Filter) []deadlines.Row {
			f.Now, f.Limit = cut, 1000
			rows, err := deadlines.Query(ctx, b.DB, f)
			require.NoError(t, err)
			return rows
		}
		beforeTick := query(deadlines.Filter{})
		missedBefore := keysOf(query(deadlines.Filter{Status: "missed"}))
		for _, k := range dueBefore {
			assert.Contains(t, missedBefore, k, "an overdue open row reads missed before Tick")
		}

		require.Greater(t, len(dueBefore), 2)
		var recordedMissed int
		require.NoError(t, b.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM rm_deadlines WHERE status = 'missed'`).Scan(&recordedMissed))
		tx, err := b.DB.SQL.BeginTx(ctx, nil)
		require.NoError(t, err)
		more, err := view.Tick(ctx, tx, b.DB.Dialect, cut)
		require.NoError(t, err)
		assert.True(t, more, "one transaction marks two obligations, and says more are left")
		var missedInOne int
		require.NoError(t, tx.QueryRowContext(ctx, `SELECT count(*) FROM rm_deadlines WHERE status = 'missed'`).Scan(&missedInOne))
		require.NoError(t, tx.Rollback())

		assert.Equal(t, recordedMissed+2, missedInOne, "two obligations marked in one transaction")

		require.NoError(t, e.Tick(ctx, cut))
		after := table(t, b)
		owners := map[string]string{}
		for _, r := range beforeTick {
			owners[r.Key] = r.Owner
		}
		for _, k := range dueBefore {
			assert.Equal(t, "missed", after[k][0], k)
			assert.Equal(t, owners[k], after[k][1], "%s: the owner at the due time", k)
		}
		for _, k := range dueAfter {
			assert.Equal(t, "open", after[k][0], k)
		}
		require.NoError(t, e.Tick(ctx, cut))
		assert.Equal(t, after, table(t, b), "a second Tick changes nothing")
		assert.Equal(t, beforeTick, query(deadlines.Filter{}), "Tick changes no answer")
		assert.Equal(t, oracle(t, b.Store, atTime(cut)), stored(t, b), "after Tick, the rows are the domain's at its now")

		// Filters.
		all := query(deadlines.Filter{})
		for _, s := range []string{"open", "met", "met_late", "missed"} {
			var want []string
			for _, r := range all {
				if r.Status == s {
					want = append(want, r.Key)
				}
			}
			require.NotEmpty(t, want, s)
			assert.Equal(t, want, keysOf(query(deadlines.Filter{Status: s})), s)
		}
		byOwner := map[string][]string{}
		var village, county, early []string
		for _, r := range all {
			byOwner[r.Owner] = append(byOwner[r.Owner], r.Key)
			if under(r.Jurisdiction.String(), "370902101202") {
				village = append(village, r.Key)
			}
			if under(r.Jurisdiction.String(), "370902") {
				county = append(county, r.Key)
			}
			if r.DueAt.Before(policyChangedAt) {
				early = append(early, r.Key)
			}
		}
		require.Greater(t, len(byOwner), 2)
		for owner, want := range byOwner {
			assert.Equal(t, want, keysOf(query(deadlines.Filter{Owner: owner})), owner)
		}
		assert.Equal(t, keysOf(all), keysOf(query(deadlines.Filter{Within: domain.All})))
		assert.Equal(t, county, keysOf(query(deadlines.Filter{Within: enginetest.Jur(t, "370902")})))
		assert.Len(t, county, len(all))
		require.NotEmpty(t, village)
		assert.Equal(t, village, keysOf(query(deadlines.Filter{Within: enginetest.Jur(t, "370902101202")})))
		assert.Empty(t, query(deadlines.Filter{Within: enginetest.Jur(t, "370902202")}))
		require.NotEmpty(t, early)
		assert.Equal(t, early, keysOf(query(deadlines.Filter{DueBefore: policyChangedAt})))

		// Pages: a cursor walks the same rows.
		var paged []string
		cursor := ""
		for {
			page := query(deadlines.Filter{Status: "missed", After: cursor})
			if len(page) > 3 {
				page = page[:3]
			}
			rows, err := deadlines.Query(ctx, b.DB, deadlines.Filter{Status: "missed", Now: cut, Limit: 3, After: cursor})
			require.NoError(t, err)
			assert.Equal(t, page, rows)
			if len(rows) == 0 {
				break
			}
			paged = append(paged, keysOf(rows)...)
			cursor = rows[len(rows)-1].Key
		}
		assert.Equal(t, keysOf(query(deadlines.Filter{Status: "missed"})), paged)

		// Now defaults to the database handle's clock.
		db := b.DB
		db.Clock = func() time.Time { return cut }
		byClock, err := deadlines.Query(ctx, db, deadlines.Filter{Limit: 1000})
		require.NoError(t, err)
		assert.Equal(t, all, byClock)

		_, err = deadlines.Query(ctx, b.DB, deadlines.Filter{Status: "late"})
		var invalid *domain.InvalidError
		require.ErrorAs(t, err, &invalid)
		assert.Equal(t, "status", invalid.Field)
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
}

// TestTickExtendsYearly: a child whose file last changed in May 2024 has,
// in the view, only the verification due on 1 September 2024 (met by the
// registration); two years later Tick adds the verifications due since and
// the next one, as the domain derives them at now (up to the first
// verification day after now), for four more children alike, two children
// a transaction here; a second Tick changes nothing. A
// change of the file derives its rows from the record again, up to its new
// horizon; the next Tick adds the later years back.
func TestTickExtendsYearly(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		then := time.Date(2024, 5, 1, 10, 0, 0, 0, domain.ChinaStandardTime)
		clock := then
		c := commandstest.NewCounty(t, b.Store, commands.WithClock(func() time.Time { return clock }))
		child := c.RegisterChild(t)
		for range 4 { // four more whose series Tick extends alike
			c.RegisterChild(t)
		}
		view := deadlines.NewTickingInPiecesOf(2)
		e := enginetest.CatchUp(t, b, view)

		type verification struct {
			Due    time.Time
			Status string
		}
		verifications := func() []verification {
			var out []verification
			for key, r := range table(t, b) {
				if under(key, "info_verification/"+child+"/") {
					var due time.Time
					switch x := r[3].(type) {
					case time.Time:
						due = x
					case string:
						var err error
						due, err = time.Parse("2006-01-02T15:04:05.000000Z", x)
						require.NoError(t, err)
					}
					out = append(out, verification{Due: due.In(domain.ChinaStandardTime), Status: r[0].(string)})
				}
			}
			sort.Slice(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
			return out
		}
		sept1 := func(y int) time.Time { return time.Date(y, 9, 1, 0, 0, 0, 0, domain.ChinaStandardTime) }
		require.Equal(t, []verification{{sept1(2024), "met"}}, verifications())

		now := time.Date(2026, 11, 29, 9, 0, 0, 0, domain.ChinaStandardTime)
		extended := func(q interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}) (n int) {
			require.NoError(t, q.QueryRowContext(ctx, `SELECT count(*) FROM rm_deadlines WHERE kind = 'info_verification'`).Scan(&n))
			return n
		}
		before := extended(b.DB.SQL)
		tx, err := b.DB.SQL.BeginTx(ctx, nil)
		require.NoError(t, err)
		more, err := view.Tick(ctx, tx, b.DB.Dialect, now)
		require.NoError(t, err)
		assert.True(t, more, "one transaction extends two children of five, and says more are left")
		assert.Equal(t, before+2*3, extended(tx), "two children's 2025, 2026 and 2027 verifications added in one transaction")
		require.NoError(t, tx.Rollback())

		require.NoError(t, e.Tick(ctx, now))
		assert.Equal(t, []verification{{sept1(2024), "met"}, {sept1(2025), "missed"}, {sept1(2026), "missed"}, {sept1(2027), "open"}},
			verifications())
		assert.Equal(t, oracle(t, b.Store, atTime(now)), stored(t, b))
		rows := table(t, b)
		require.NoError(t, e.Tick(ctx, now))
		assert.Equal(t, rows, table(t, b), "a second Tick changes nothing")

		// A visit in August 2025, recorded now: the file changed, its rows
		// are derived at its new horizon, where the series stops at 2025's
		// verification, which the visit met.
		clock = now
		_, err = c.Handlers.RecordVisit(ctx, c.Caseworker, commands.RecordVisit{ChildID: child,
			OccurredAt: time.Date(2025, 8, 1, 9, 0, 0, 0, domain.ChinaStandardTime), Findings: "在家"})
		require.NoError(t, err)
		require.NoError(t, e.CatchUp(ctx))
		assert.Equal(t, []verification{{sept1(2024), "met"}, {sept1(2025), "met"}}, verifications())
		require.NoError(t, e.Tick(ctx, now))
		assert.Equal(t, []verification{{sept1(2024), "met"}, {sept1(2025), "met"}, {sept1(2026), "missed"}, {sept1(2027), "open"}},
			verifications())
		assert.Equal(t, oracle(t, b.Store, atTime(now)), stored(t, b))
	})
}

// TestOnlyTheProjectionWrites: the clock enters the view only through the
// projection's Tick, which the engine runs under the projection's own
// lock. While the engine follows writers, another goroutine ticks it again
// and again; once the writers are done and a last Tick has run, the rows
// are exactly the domain's clocks at that now — no Tick's change was lost
// to an Apply or left stale by one, nor the reverse.
func TestOnlyTheProjectionWrites(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		at := enginetest.Now.AddDate(1, 3, 0)
		ticks := 0
		e := follow(t, b, func(e *engine.Engine) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := e.Tick(ctx, at); err != nil {
						t.Errorf("tick: %v", err)
						return
					}
					ticks++
					time.Sleep(3 * time.Millisecond) // let the writers have the database too
				}
			})
			commandstest.ClockWorkload(t, b.Store, enginetest.Now, 16)
			close(stop)
			wg.Wait()
		})
		assert.Greater(t, ticks, 1, "ticks ran while the engine followed")
		require.NoError(t, e.Tick(ctx, at))
		want := oracle(t, b.Store, atTime(at))
		assert.Equal(t, want, stored(t, b))
		assert.NotEqual(t, want, oracle(t, b.Store, atHorizon), "the clock changed rows")
	})
}
