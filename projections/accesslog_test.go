package projections_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections"
)

func readOf(child, place string) projections.AccessEntry {
	return projections.AccessEntry{Subject: "cw-1", Role: "caseworker", ActorJurisdiction: "370902", ChildID: child,
		Jurisdiction: place, Action: projections.ActionReadChildFile}
}

func TestAccessLogWritesBehindTheRead(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		require.NoError(t, projections.MigrateAccessLog(ctx, b.db, b.dialect))
		log := projections.NewAccessLog(b.db, b.dialect, projections.AccessLogOptions{FlushEvery: 20 * time.Millisecond})
		log.Record(readOf("child-a", "370902101201"))

		assert.Eventually(t, func() bool {
			entries, err := projections.QueryAccessLog(ctx, b.db, projections.AccessLogFilter{ChildID: "child-a"})
			return err == nil && len(entries) == 1
		}, 5*time.Second, 10*time.Millisecond, "the flusher writes the entry without being asked")

		for i := range 30 {
			log.Record(readOf(fmt.Sprintf("child-%02d", i), "370902101201"))
		}
		require.NoError(t, log.Close(ctx))
		entries, err := projections.QueryAccessLog(ctx, b.db, projections.AccessLogFilter{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, entries, 31, "Close writes what the buffer holds")
		for i := 1; i < len(entries); i++ {
			assert.Less(t, entries[i-1].ID, entries[i].ID, "entries come in the order they were recorded")
		}

		log.Record(readOf("child-after-close", "370902101201"))
		after, err := projections.QueryAccessLog(ctx, b.db, projections.AccessLogFilter{ChildID: "child-after-close"})
		require.NoError(t, err)
		assert.Len(t, after, 1, "after Close an entry is written as it is recorded")
	})
}

func TestAccessLogFiltersAndPages(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		require.NoError(t, projections.MigrateAccessLog(ctx, b.db, b.dialect))
		log := projections.NewAccessLog(b.db, b.dialect, projections.AccessLogOptions{})
		for i := range 5 {
			log.Record(readOf("child-a", "370902101201"))
			log.Record(readOf(fmt.Sprintf("child-b%d", i), "370903101201"))
		}
		require.NoError(t, log.Flush(ctx))

		inCounty, err := projections.QueryAccessLog(ctx, b.db, projections.AccessLogFilter{JurisdictionPrefix: "370902"})
		require.NoError(t, err)
		assert.Len(t, inCounty, 5)
		for _, e := range inCounty {
			assert.Equal(t, "child-a", e.ChildID)
			assert.Equal(t, "cw-1", e.Subject)
			assert.False(t, e.At.IsZero())
		}

		var walked []string
		after := ""
		for {
			page, err := projections.QueryAccessLog(ctx, b.db, projections.AccessLogFilter{After: after, Limit: 3})
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				walked = append(walked, e.ID)
			}
			after = page[len(page)-1].ID
		}
		assert.Len(t, walked, 10)
		seen := map[string]bool{}
		for _, id := range walked {
			assert.False(t, seen[id], "entry %s listed twice", id)
			seen[id] = true
		}
	})
}

func TestAccessLogKeepsABatchThatFailed(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		log := projections.NewAccessLog(b.db, b.dialect, projections.AccessLogOptions{FlushEvery: time.Hour})
		log.Record(readOf("child-a", "370902101201"))
		require.Error(t, log.Flush(ctx), "without its table the batch cannot be written")

		require.NoError(t, projections.MigrateAccessLog(ctx, b.db, b.dialect))
		require.NoError(t, log.Flush(ctx))
		entries, err := projections.QueryAccessLog(ctx, b.db, projections.AccessLogFilter{})
		require.NoError(t, err)
		assert.Len(t, entries, 1, "the failed batch was kept and written on the next try")
		require.NoError(t, log.Close(ctx))
	})
}
