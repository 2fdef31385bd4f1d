package deadlines_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// TestFeedPages: the feed read a notification at a time, each call from the
// cursor the last gave, tells exactly what one call tells at once, in the
// same order — the obligations as they became known, then the clock's
// moments — and a reader that starts from any cursor of the way is told
// exactly the rest. A cursor of another generation is told every open
// obligation again, then nothing it already knows.
func TestFeedPages(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		follow(t, b, func(*engine.Engine) { commandstest.ClockWorkload(t, b.Store, enginetest.Now, 5) })
		f := deadlines.FeedFilter{
			Scope:     deadlines.Scope{RolePrefix: "child_director:", Within: enginetest.Jur(t, "370902")},
			Escalated: true, EscalateAfter: 24 * time.Hour, DueSoon: 24 * time.Hour, Now: enginetest.Now,
		}
		start, err := deadlines.FeedStart(ctx, b.DB, enginetest.Now.AddDate(-3, 0, 0))
		require.NoError(t, err)
		start.Seq = 0 // told nothing yet

		all, end, err := deadlines.Feed(ctx, b.DB, f, start, 100000)
		require.NoError(t, err)
		kinds := map[string]int{}
		for _, n := range all {
			kinds[n.Kind]++
		}
		for _, k := range []string{deadlines.NoticeOpened, deadlines.NoticeMissed, deadlines.NoticeEscalated, deadlines.NoticeDueSoon} {
			assert.Positive(t, kinds[k], "the workload gives some %s", k)
		}
		rest, _, err := deadlines.Feed(ctx, b.DB, f, end, 100)
		require.NoError(t, err)
		assert.Empty(t, rest, "nothing after the end")

		var one []deadlines.Notification
		cur := start
		for calls := 0; ; calls++ {
			require.Less(t, calls, 10*len(all)+10, "the cursor keeps moving")
			page, next, err := deadlines.Feed(ctx, b.DB, f, cur, 1)
			require.NoError(t, err)
			one = append(one, page...)
			if len(page) > 0 {
				assert.Equal(t, next, page[0].After, "the cursor after the page is the last one's")
			} else if next == cur {
				break // told everything
			}
			cur = next
		}
		require.Equal(t, len(all), len(one))
		for i := range all {
			assert.Equal(t, all[i].Kind, one[i].Kind, "#%d", i)
			assert.Equal(t, all[i].Deadline.Key, one[i].Deadline.Key, "#%d", i)
		}
		for _, i := range []int{0, len(all) / 3, len(all) / 2, len(all) - 2} {
			tail, _, err := deadlines.Feed(ctx, b.DB, f, all[i].After, 100000)
			require.NoError(t, err)
			require.Len(t, tail, len(all)-i-1, "resumed after #%d", i)
			for j := range tail {
				assert.Equal(t, all[i+1+j].Deadline.Key, tail[j].Deadline.Key)
				assert.Equal(t, all[i+1+j].Kind, tail[j].Kind)
			}
		}

		stale := end
		stale.Generation = "a view since rebuilt"
		again, after, err := deadlines.Feed(ctx, b.DB, f, stale, 100000)
		require.NoError(t, err)
		for _, n := range again {
			assert.Equal(t, deadlines.NoticeOpened, n.Kind)
			assert.Equal(t, domain.DeadlineOpen.String(), n.Deadline.Status, "only the open obligations are told again")
		}
		assert.NotEmpty(t, again)
		more, _, err := deadlines.Feed(ctx, b.DB, f, after, 100000)
		require.NoError(t, err)
		assert.Empty(t, more)
	})
}

// TestFeedFromBeforeTheFirstApply: a reader that started before the view
// applied anything (a webhook registered on a fresh store, whose cursor
// has no generation yet) is told every obligation that became known since,
// the met and missed ones too, exactly as a reader of the view's
// generation from its first number — not only the open ones, as a reader
// of a view since rebuilt is.
func TestFeedFromBeforeTheFirstApply(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		var early deadlines.FeedCursor
		follow(t, b, func(*engine.Engine) {
			var err error
			early, err = deadlines.FeedStart(ctx, b.DB, enginetest.Now.AddDate(-3, 0, 0))
			require.NoError(t, err)
			require.Empty(t, early.Generation, "the view has applied nothing yet")
			require.Zero(t, early.Seq)
			commandstest.ClockWorkload(t, b.Store, enginetest.Now, 5)
		})
		f := deadlines.FeedFilter{
			Scope:     deadlines.Scope{RolePrefix: "child_director:", Within: enginetest.Jur(t, "370902")},
			Escalated: true, EscalateAfter: 24 * time.Hour, DueSoon: 24 * time.Hour, Now: enginetest.Now,
		}
		start, err := deadlines.FeedStart(ctx, b.DB, early.At)
		require.NoError(t, err)
		require.NotEmpty(t, start.Generation)
		start.Seq = 0 // told nothing of this generation

		want, _, err := deadlines.Feed(ctx, b.DB, f, start, 100000)
		require.NoError(t, err)
		closed := 0
		for _, n := range want {
			if n.Kind == deadlines.NoticeOpened && n.Deadline.Status != domain.DeadlineOpen.String() {
				closed++
			}
		}
		require.Positive(t, closed, "the workload opens obligations that are no longer open")
		got, _, err := deadlines.Feed(ctx, b.DB, f, early, 100000)
		require.NoError(t, err)
		require.Equal(t, len(want), len(got), "as many told")
		for i := range want {
			assert.Equal(t, want[i].Kind, got[i].Kind, "#%d", i)
			assert.Equal(t, want[i].Deadline.Key, got[i].Deadline.Key, "#%d", i)
		}
	})
}
