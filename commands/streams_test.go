package commands_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventlog/personal"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/eventstore/sqlite"
)

// processes runs fn on a fresh database (SQLite, and PostgreSQL when
// configured) with open making one more process's store on it: its own
// store and its own data keys, sealing personal data as serve does.
func processes(t *testing.T, fn func(t *testing.T, open func() eventstore.Store)) {
	master := []byte("commands test master key 32 byte")
	seal := func(t *testing.T, inner eventstore.Store, db *sql.DB, sqlite bool) eventstore.Store {
		keys, err := privacy.OpenKeys(context.Background(), db, sqlite, master)
		require.NoError(t, err)
		return privacy.Wrap(inner, keys, personal.Catalog())
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "careledger.db")
		fn(t, func() eventstore.Store {
			s, err := sqlite.Open(context.Background(), path, eventstore.Options{SealKey: []byte("k")})
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return seal(t, s, db, true)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := pgtest.NewDatabase(t)
		fn(t, func() eventstore.Store {
			s, err := postgres.Open(context.Background(), url, eventstore.Options{SealKey: []byte("k")})
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return seal(t, s, stdlib.OpenDBFromPool(s.Pool()), false)
		})
	})
}

// fresh is a stream as a read of the log gives it now.
func fresh(t *testing.T, store eventstore.Store, id domain.StreamID) []domain.Recorded {
	t.Helper()
	history, err := eventlog.New().ReadStream(context.Background(), store, id)
	require.NoError(t, err)
	return history
}

// countingStore counts appends and the reads of each stream.
type countingStore struct {
	eventstore.Store
	appends atomic.Int64
	mu      sync.Mutex
	readsOf map[string]int
}

func (s *countingStore) readsOfStream(id domain.StreamID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readsOf[id.String()]
}

func (s *countingStore) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	s.appends.Add(1)
	return s.Store.Append(ctx, stream, expected, events...)
}

func (s *countingStore) ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	s.mu.Lock()
	if s.readsOf == nil {
		s.readsOf = map[string]int{}
	}
	s.readsOf[streamID]++
	s.mu.Unlock()
	return s.Store.ReadStream(ctx, streamID, afterVersion, limit)
}

// TestCachedStreamsFollowTheLog: a process keeps the streams it decided
// on and decides on them unread, the append's expected version being the
// check: what another process appended meanwhile fails that append, and
// the command is decided again on the stream as read; what it keeps is
// what a read of the log gives.
func TestCachedStreamsFollowTheLog(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		here := &countingStore{Store: store}
		county := commandstest.NewCounty(t, here, commands.WithClock(func() time.Time { return now }))
		there := commands.New(store, commands.WithClock(func() time.Time { return now }))
		child := county.RegisterChild(t)
		caseID := county.Report(t, child, now.Add(-time.Hour), domain.RiskLow, "来电", "neglect")
		follow := func(h *commands.Handlers) commands.Result {
			res, err := h.RecordFollowUp(ctx, county.Caseworker, commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "回访"})
			require.NoError(t, err)
			return res
		}
		follow(county.Handlers)
		appends, reads := here.appends.Load(), here.readsOfStream(domain.CaseStream(caseID))
		follow(county.Handlers)
		assert.Equal(t, appends+1, here.appends.Load())
		assert.Equal(t, reads, here.readsOfStream(domain.CaseStream(caseID)),
			"a stream this process keeps, and no other moved on, is decided on unread")

		follow(there)
		follow(there)
		appends = here.appends.Load()
		res := follow(county.Handlers)
		assert.Equal(t, int64(6), res.Version, "decided again on the events another process appended")
		assert.Equal(t, appends+2, here.appends.Load(), "the append on the cache failed its expected version, the one on the read did not")

		cached, ok := county.Handlers.Cached(domain.CaseStream(caseID))
		require.True(t, ok)
		assert.Equal(t, fresh(t, store, domain.CaseStream(caseID)), cached)
		cached, ok = county.Handlers.Cached(domain.ChildStream(child))
		require.True(t, ok)
		assert.Equal(t, fresh(t, store, domain.ChildStream(child)), cached)
	})
}

// TestNoRefusalOnTheCacheAlone: a command the cached stream would refuse
// (an intervention on a case closed here, reopened by another process) or
// whose If-Match names a version only the log has is decided on the
// stream as read, and carried out.
func TestNoRefusalOnTheCacheAlone(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		county := commandstest.NewCounty(t, store, commands.WithClock(func() time.Time { return now }))
		there := commands.New(store, commands.WithClock(func() time.Time { return now }))
		caseID := county.Report(t, county.RegisterChild(t), now.Add(-time.Hour), domain.RiskLow, "来电", "neglect")
		_, err := county.Handlers.CloseCase(ctx, county.Caseworker, commands.CloseCase{CaseID: caseID, OccurredAt: now,
			Reason: commandstest.Must(domain.ParseClosureReason("resolved"))})
		require.NoError(t, err)
		reopened, err := there.ReopenCase(ctx, county.Caseworker, commands.ReopenCase{CaseID: caseID, Reason: "复查"})
		require.NoError(t, err)

		res, err := county.Handlers.RecordIntervention(ctx, county.Caseworker,
			commands.RecordIntervention{CaseID: caseID, OccurredAt: now, Measure: "family_education_guidance"})
		require.NoError(t, err, "the case is open again in the log")
		assert.Equal(t, reopened.Version+1, res.Version)

		moved, err := there.RecordFollowUp(ctx, county.Caseworker, commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "回访"})
		require.NoError(t, err)
		call := county.Caseworker
		call.IfMatch = &moved.Version
		res, err = county.Handlers.RecordFollowUp(ctx, call, commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "回访"})
		require.NoError(t, err, "If-Match is compared with the stream as read")
		assert.Equal(t, moved.Version+1, res.Version)

		stale := res.Version - 1
		call.IfMatch = &stale
		_, err = county.Handlers.RecordFollowUp(ctx, call, commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "回访"})
		assert.ErrorIs(t, err, commands.ErrPreconditionFailed)
	})
}

// conflictingStore lets another process append to the stream just before
// the first append it is asked for.
type conflictingStore struct {
	eventstore.Store
	once  sync.Once
	other func()
}

func (s *conflictingStore) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	s.once.Do(s.other)
	return s.Store.Append(ctx, stream, expected, events...)
}

// TestConflictDropsTheCachedStream: an append that meets another
// process's is decided again on the stream as the log has it.
func TestConflictDropsTheCachedStream(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		county := commandstest.NewCounty(t, store, commands.WithClock(func() time.Time { return now }))
		child := county.RegisterChild(t)
		caseID := county.Report(t, child, now.Add(-time.Hour), domain.RiskLow, "来电", "neglect")
		there := commands.New(store, commands.WithClock(func() time.Time { return now }))
		racing := &conflictingStore{Store: store, other: func() {
			_, err := there.RecordFollowUp(ctx, county.Caseworker, commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "另一进程"})
			require.NoError(t, err)
		}}
		here := commands.New(racing, commands.WithClock(func() time.Time { return now }))
		_, err := here.History(ctx, domain.CaseStream(caseID))
		require.NoError(t, err)
		res, err := here.RecordFollowUp(ctx, county.Caseworker, commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "回访"})
		require.NoError(t, err)
		assert.Equal(t, int64(3), res.Version)
		cached, ok := here.Cached(domain.CaseStream(caseID))
		require.True(t, ok)
		assert.Equal(t, fresh(t, store, domain.CaseStream(caseID)), cached)
	})
}

// TestStreamCacheIsBounded: the handlers keep at most the streams, and the
// events in them, they are told to, forgetting the least recently used
// first; none when told so.
func TestStreamCacheIsBounded(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		county := commandstest.NewCounty(t, store, commands.WithStreamCache(2, 100))
		first := county.RegisterChild(t)
		county.RegisterChild(t)
		_, err := county.Handlers.History(ctx, domain.ChildStream(first))
		require.NoError(t, err)
		county.RegisterChild(t)
		streams, _ := county.Handlers.CachedStreams()
		assert.Equal(t, 2, streams)
		_, ok := county.Handlers.Cached(domain.ChildStream(first))
		assert.True(t, ok, "the stream used last is kept")

		few := commandstest.NewCounty(t, store, commands.WithStreamCache(100, 3))
		child := few.RegisterChild(t)
		caseID := few.Report(t, child, now.Add(-time.Hour), domain.RiskLow, "来电", "neglect")
		for range 3 {
			_, err := few.Handlers.RecordFollowUp(ctx, few.Caseworker, commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "回访"})
			require.NoError(t, err)
		}
		_, events := few.Handlers.CachedStreams()
		assert.LessOrEqual(t, events, 3)
		_, ok = few.Handlers.Cached(domain.CaseStream(caseID))
		assert.False(t, ok, "a stream of more events than the cache may hold is not kept")

		none := commandstest.NewCounty(t, store, commands.WithStreamCache(0, 0))
		none.RegisterChild(t)
		streams, _ = none.Handlers.CachedStreams()
		assert.Zero(t, streams)
	})
}

// TestErasureEmptiesTheStreamCache: once a child's data is erased, no
// command decides on the personal data a process kept of it — neither in
// the process that erased it (at once) nor in another one (within the
// 2 s a process trusts its data keys, as its reads do).
func TestErasureEmptiesTheStreamCache(t *testing.T) {
	processes(t, func(t *testing.T, open func() eventstore.Store) {
		ctx := context.Background()
		clock := commands.WithClock(func() time.Time { return now })
		storeHere, storeThere := open(), open()
		county := commandstest.NewCounty(t, storeHere, clock)
		there := commands.New(storeThere, clock)
		admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}

		// Two children, each with a case, both kept by both processes.
		children := []string{county.RegisterChild(t), county.RegisterChild(t)}
		var cases []string
		for _, child := range children {
			cases = append(cases, county.Report(t, child, now.Add(-time.Hour), domain.RiskLow, "邻居说孩子独自在家", "neglect"))
		}
		summary := func(h *commands.Handlers, caseID string) string {
			history, err := h.History(ctx, domain.CaseStream(caseID))
			require.NoError(t, err)
			return history[0].Event.(domain.ReportReceived).Summary
		}
		name := func(history []domain.Recorded) string { return history[0].Event.(domain.ChildRegistered).Name }
		for _, h := range []*commands.Handlers{county.Handlers, there} {
			require.Equal(t, "邻居说孩子独自在家", summary(h, cases[0]))
			history, err := h.History(ctx, domain.ChildStream(children[0]))
			require.NoError(t, err)
			require.Equal(t, "小明", name(history))
		}

		// This process erases the first child (its cases are closed: no
		// legal hold).
		_, err := county.Handlers.CloseCase(ctx, county.Caseworker, commands.CloseCase{CaseID: cases[0], OccurredAt: now,
			Reason: commandstest.Must(domain.ParseClosureReason("resolved"))})
		require.NoError(t, err)
		_, err = county.Handlers.EraseChild(ctx, admin, commands.EraseChild{ChildID: children[0], Reason: "依法删除", CaseIDs: []string{cases[0]}})
		require.NoError(t, err)
		for _, id := range []domain.StreamID{domain.ChildStream(children[0]), domain.CaseStream(cases[0])} {
			_, ok := county.Handlers.Cached(id)
			assert.False(t, ok, "%s: no personal data kept after the erasure", id)
		}
		assert.Empty(t, summary(county.Handlers, cases[0]), "this process decides on the erased case")
		history, err := county.Handlers.History(ctx, domain.ChildStream(children[0]))
		require.NoError(t, err)
		assert.Empty(t, name(history))
		assert.Equal(t, "邻居说孩子独自在家", summary(county.Handlers, cases[1]), "another child's data stays")

		// The other process kept the case; it learns of the erasure as its
		// keys do, and then reads the case again.
		require.Eventually(t, func() bool { return summary(there, cases[0]) == "" }, 5*time.Second, 50*time.Millisecond,
			"the other process stops deciding on the erased data")
		history, err = there.History(ctx, domain.ChildStream(children[0]))
		require.NoError(t, err)
		assert.Empty(t, name(history))
		assert.Equal(t, "邻居说孩子独自在家", summary(there, cases[1]))
	})
}
