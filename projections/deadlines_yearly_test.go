package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections"
)

// TestExtendYearly: a child whose file last changed in May 2024 has, in the
// view, only the verification due on 1 September 2024; two years later the
// clock-driven step adds the verifications due since and the next one, as
// the domain derives them now (up to the first verification day after
// now), and a second run adds nothing.
func TestExtendYearly(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		then := time.Date(2024, 5, 1, 10, 0, 0, 0, domain.ChinaStandardTime)
		_, child := caseworkerAndChild(t, commands.New(b.store, commands.WithClock(func() time.Time { return then })))
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.NewDeadlines(b.store))
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))

		dues := func() []time.Time {
			rows, err := projections.QueryDeadlines(ctx, b.db, b.dialect, projections.DeadlineFilter{Now: time.Now(), Limit: 100})
			require.NoError(t, err)
			var out []time.Time
			for _, r := range rows {
				if r.Kind == "info_verification" && r.SubjectID == child {
					out = append(out, r.DueAt.In(domain.ChinaStandardTime))
				}
			}
			return out
		}
		sept1 := func(y int) time.Time { return time.Date(y, 9, 1, 0, 0, 0, 0, domain.ChinaStandardTime) }
		require.Equal(t, []time.Time{sept1(2024)}, dues())

		now := time.Date(2026, 11, 29, 9, 0, 0, 0, domain.ChinaStandardTime)
		n, err := projections.ExtendYearly(ctx, b.db, b.dialect, b.store, now)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		assert.Equal(t, []time.Time{sept1(2024), sept1(2025), sept1(2026), sept1(2027)}, dues())

		n, err = projections.ExtendYearly(ctx, b.db, b.dialect, b.store, now)
		require.NoError(t, err)
		assert.Zero(t, n, "a second run adds nothing")
	})
}
