package accesslog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

func readOf(child, place string) accesslog.Entry {
	return accesslog.Entry{Subject: "cw-1", Role: "caseworker", ActorJurisdiction: "370902", ChildID: child,
		Jurisdiction: place, Action: accesslog.ActionReadChildFile}
}

func TestWritesBehindTheRead(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		log := accesslog.New(b.DB, accesslog.Options{FlushEvery: 20 * time.Millisecond})
		log.Record(readOf("child-a", "370902101201"))

		assert.Eventually(t, func() bool {
			entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{ChildID: "child-a"})
			return err == nil && len(entries) == 1
		}, 5*time.Second, 10*time.Millisecond, "the flusher writes the entry without being asked")

		for i := range 30 {
			log.Record(readOf(fmt.Sprintf("child-%02d", i), "370902101201"))
		}
		require.NoError(t, log.Close(ctx))
		entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, entries, 31, "Close writes what the buffer holds")
		for i := 1; i < len(entries); i++ {
			assert.Less(t, entries[i-1].ID, entries[i].ID, "entries come in the order they were recorded")
		}

		log.Record(readOf("child-after-close", "370902101201"))
		after, err := accesslog.Query(ctx, b.DB, accesslog.Filter{ChildID: "child-after-close"})
		require.NoError(t, err)
		assert.Len(t, after, 1, "after Close an entry is written as it is recorded")
	})
}

// TestEntryKeepsWhatWasRecorded: every field of an entry reads back as it
// was recorded, and an entry without a time takes the database's clock.
func TestEntryKeepsWhatWasRecorded(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		b.DB.Clock = func() time.Time { return enginetest.Now }
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		log := accesslog.New(b.DB, accesslog.Options{Synchronous: true})
		full := accesslog.Entry{Subject: "insp-1", Role: "inspector", ActorJurisdiction: "3709", ChildID: "child-a",
			CaseID: "case-1", Jurisdiction: "370902101201", Action: accesslog.ActionReadCaseEvents, RequestID: "req-1",
			At: enginetest.Now.Add(-time.Hour + 123456*time.Microsecond)}
		log.Record(full)
		log.Record(readOf("child-b", "370902101201"))

		entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{})
		require.NoError(t, err)
		require.Len(t, entries, 2)
		got := entries[0]
		assert.NotEmpty(t, got.ID)
		assert.True(t, full.At.Equal(got.At), "at %s, want %s", got.At, full.At)
		got.ID, got.At, full.At = "", time.Time{}, time.Time{}
		assert.Equal(t, full, got)
		assert.True(t, enginetest.Now.Equal(entries[1].At), "an entry without a time takes the clock's")
		assert.Empty(t, entries[1].CaseID)
		assert.Empty(t, entries[1].RequestID)
	})
}

func TestFiltersAndPages(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		log := accesslog.New(b.DB, accesslog.Options{})
		for i := range 5 {
			log.Record(readOf("child-a", "370902101201"))
			log.Record(readOf(fmt.Sprintf("child-b%d", i), "370911101201"))
		}
		require.NoError(t, log.Flush(ctx))

		inCounty, err := accesslog.Query(ctx, b.DB, accesslog.Filter{JurisdictionPrefix: "370902"})
		require.NoError(t, err)
		assert.Len(t, inCounty, 5)
		for _, e := range inCounty {
			assert.Equal(t, "child-a", e.ChildID)
			assert.Equal(t, "cw-1", e.Subject)
			assert.False(t, e.At.IsZero())
		}
		everywhere, err := accesslog.Query(ctx, b.DB, accesslog.Filter{JurisdictionPrefix: "all"})
		require.NoError(t, err)
		assert.Len(t, everywhere, 10)

		var walked []string
		after := ""
		for {
			page, err := accesslog.Query(ctx, b.DB, accesslog.Filter{After: after, Limit: 3})
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			assert.LessOrEqual(t, len(page), 3)
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
		require.NoError(t, log.Close(ctx))
	})
}

// TestFiltersByTime: From and Until bound the moment of the read, both
// ends included.
func TestFiltersByTime(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		log := accesslog.New(b.DB, accesslog.Options{Synchronous: true})
		for h := range 5 {
			e := readOf("child-a", "370902101201")
			e.At, e.Subject = enginetest.Now.Add(time.Duration(h)*time.Hour), fmt.Sprintf("cw-%d", h)
			log.Record(e)
		}
		entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{ChildID: "child-a",
			From: enginetest.Now.Add(time.Hour), Until: enginetest.Now.Add(3 * time.Hour)})
		require.NoError(t, err)
		var subjects []string
		for _, e := range entries {
			subjects = append(subjects, e.Subject)
		}
		assert.Equal(t, []string{"cw-1", "cw-2", "cw-3"}, subjects)
		untilOnly, err := accesslog.Query(ctx, b.DB, accesslog.Filter{Until: enginetest.Now.Add(time.Hour)})
		require.NoError(t, err)
		assert.Len(t, untilOnly, 2)
	})
}

func TestKeepsABatchThatFailed(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		log := accesslog.New(b.DB, accesslog.Options{FlushEvery: time.Hour})
		log.Record(readOf("child-a", "370902101201"))
		require.Error(t, log.Flush(ctx), "without its table the batch cannot be written")

		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		require.NoError(t, log.Flush(ctx))
		entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{})
		require.NoError(t, err)
		assert.Len(t, entries, 1, "the failed batch was kept and written on the next try")
		require.NoError(t, log.Close(ctx))
	})
}

// TestWritesALargeBatch: a batch larger than one statement holds is
// written whole.
func TestWritesALargeBatch(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		log := accesslog.New(b.DB, accesslog.Options{FlushEvery: time.Hour})
		for i := range 1234 {
			log.Record(readOf(fmt.Sprintf("child-%04d", i), "370902101201"))
		}
		require.NoError(t, log.Close(ctx))
		entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{Limit: 2000})
		require.NoError(t, err)
		assert.Len(t, entries, 1234)
	})
}
