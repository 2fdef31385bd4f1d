package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// testFiftyWritersOneWinner: in each round, 50 goroutines append to the same
// stream expecting the same version; exactly one wins.
func testFiftyWritersOneWinner(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	const writers, rounds = 50, 5
	stream := caseStream(1)
	for round := range rounds {
		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []uuid.UUID
		conflicts := 0
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := note(round*writers + w)
				<-start
				_, err := s.Append(ctx, stream, eventstore.ExpectedVersion(round), e)
				mu.Lock()
				defer mu.Unlock()
				var conflict *eventstore.VersionConflictError
				switch {
				case err == nil:
					winners = append(winners, e.ID)
				case errors.As(err, &conflict) && conflict.Current == int64(round+1):
					conflicts++
				default:
					t.Errorf("round %d: unexpected error %v", round, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		require.Len(t, winners, 1, "round %d has exactly one winner", round)
		require.Equal(t, writers-1, conflicts, "round %d: the losers get conflicts carrying version %d", round, round+1)
		stored, err := s.ReadStream(ctx, stream.ID, int64(round), 0)
		require.NoError(t, err)
		require.Len(t, stored, 1)
		assert.Equal(t, winners[0], stored[0].ID, "the stored event is the winner's")
	}
	all := readAll(t, s)
	require.Len(t, all, rounds)
	for i, e := range all {
		assert.Equal(t, int64(i+1), e.StreamVersion)
	}
}

// testFiftyWritersRetrying: 50 goroutines each append one event to the same
// stream, re-reading the version after every conflict; every event lands
// exactly once at its own version.
func testFiftyWritersRetrying(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	const writers = 50
	stream := caseStream(1)
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, writers)
	for w := range writers {
		wg.Add(1)
		e := note(w)
		ids[w] = e.ID
		go func() {
			defer wg.Done()
			for attempt := 0; ; attempt++ {
				current, err := s.ReadStream(ctx, stream.ID, 0, 0)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				_, err = s.Append(ctx, stream, eventstore.ExpectedVersion(len(current)), e)
				if err == nil {
					return
				}
				if !errors.Is(err, eventstore.ErrVersionConflict) || attempt > 10*writers {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	stored, err := s.ReadStream(ctx, stream.ID, 0, 0)
	require.NoError(t, err)
	require.Len(t, stored, writers, "nothing lost, nothing doubled")
	seen := map[uuid.UUID]int{}
	for i, e := range stored {
		assert.Equal(t, int64(i+1), e.StreamVersion)
		seen[e.ID]++
	}
	for w, id := range ids {
		assert.Equal(t, 1, seen[id], "writer %d's event is stored exactly once", w)
	}
}

// testHeldOpenTransaction holds one write transaction open (the hook blocks
// before its commit) while a second handle on the same database — a second
// process — appends to other streams. A reader polling the log meanwhile
// must never see a gap: nothing appears until the held transaction commits,
// and then everything appears in position order.
func testHeldOpenTransaction(t *testing.T, db Database) {
	ctx := ctxT(t)
	seed := open(t, db)
	_, err := seed.Append(ctx, caseStream(0), eventstore.NoStream, note(0))
	require.NoError(t, err)

	inTx, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	held := db.Open(t, eventstore.Options{SealKey: testSealKey, BeforeCommit: func(context.Context) {
		once.Do(func() {
			close(inTx)
			<-release
		})
	}})
	other, reader := open(t, db), open(t, db)

	heldDone := make(chan []eventstore.Event, 1)
	go func() {
		out, err := held.Append(ctx, caseStream(1), eventstore.NoStream, note(1))
		assert.NoError(t, err)
		heldDone <- out
	}()
	<-inTx

	const later = 5
	otherDone := make(chan []eventstore.Event, later)
	for i := range later {
		go func() {
			out, err := other.Append(ctx, caseStream(10+i), eventstore.NoStream, note(10+i))
			assert.NoError(t, err)
			otherDone <- out
		}()
	}

	// While the transaction is held, the reader sees only position 1.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		seen := readAll(t, reader)
		require.Len(t, seen, 1, "nothing after position 1 may be visible while it could still be preceded")
		time.Sleep(10 * time.Millisecond)
	}
	close(release)

	heldOut := <-heldDone
	var positions []int64
	for range later {
		out := <-otherDone
		positions = append(positions, out[0].GlobalPosition)
	}
	assert.Equal(t, int64(2), heldOut[0].GlobalPosition, "the held append keeps the position it took")
	for _, p := range positions {
		assert.Greater(t, p, int64(2), "later appends come after the held one")
	}
	all := readAll(t, reader)
	require.Len(t, all, 2+later)
	for i, e := range all {
		assert.Equal(t, int64(i+1), e.GlobalPosition)
	}
	v, err := reader.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
}

// testGlobalOrderIsCommitOrder: writers on two handles append concurrently
// while a reader tails the log. The reader must see positions strictly
// contiguous — each read continues exactly where the last one stopped — and
// in the end exactly the acknowledged events, at the positions their appends
// returned. An append acknowledged before another starts has the lower
// position.
func testGlobalOrderIsCommitOrder(t *testing.T, db Database) {
	ctx := ctxT(t)
	a, b, reader := open(t, db), open(t, db), open(t, db)
	const writers, each = 8, 25

	acked := make(chan eventstore.Event, writers*each)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		s := a
		if w%2 == 1 {
			s = b
		}
		go func() {
			defer wg.Done()
			var last int64
			for i := range each {
				out, err := s.Append(ctx, caseStream(w), eventstore.AnyVersion, note(w*each+i))
				if !assert.NoError(t, err) {
					return
				}
				assert.Greater(t, out[0].GlobalPosition, last, "an acknowledged append precedes the next one")
				last = out[0].GlobalPosition
				acked <- out[0]
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var seen []eventstore.Event
	var after int64
	tail := func() {
		page, err := reader.ReadLog(ctx, after, 7)
		require.NoError(t, err)
		for _, e := range page {
			require.Equal(t, after+1, e.GlobalPosition, "the reader never skips a position")
			after = e.GlobalPosition
			seen = append(seen, e)
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			tail()
		}
	}
	for len(seen) < writers*each {
		before := after
		tail()
		if after == before {
			break
		}
	}
	close(acked)
	require.Len(t, seen, writers*each)
	byPosition := map[int64]eventstore.Event{}
	for e := range acked {
		byPosition[e.GlobalPosition] = e
	}
	for _, e := range seen {
		assert.Equal(t, byPosition[e.GlobalPosition], e, "position %d holds the acknowledged event", e.GlobalPosition)
	}
}

// testAnotherProcessWritesBetween: a store remembers the head and the
// streams it wrote, to write the next batch without reading them first. When
// a second handle (another process) writes in between, every kind of append
// of the first must still be decided on the log as it is.
func testAnotherProcessWritesBetween(t *testing.T, db Database) {
	ctx := ctxT(t)
	a, b := open(t, db), open(t, db)
	mustAppend := func(s eventstore.Store, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, n int) eventstore.Event {
		t.Helper()
		out, err := s.Append(ctx, stream, expected, note(n))
		require.NoError(t, err)
		return out[0]
	}
	mustAppend(a, caseStream(1), eventstore.NoStream, 1)
	mustAppend(a, caseStream(1), eventstore.Exactly(1), 2)

	mustAppend(b, caseStream(1), eventstore.Exactly(2), 3) // a's knowledge of stream 1 is now stale
	mustAppend(b, caseStream(2), eventstore.NoStream, 4)   // and so is its head

	_, err := a.Append(ctx, caseStream(1), eventstore.Exactly(2), note(5))
	requireConflict(t, err, 3)
	_, err = a.Append(ctx, caseStream(2), eventstore.NoStream, note(6))
	requireConflict(t, err, 1)
	e := mustAppend(a, caseStream(1), eventstore.AnyVersion, 7)
	assert.Equal(t, int64(4), e.StreamVersion)
	assert.Equal(t, int64(5), e.GlobalPosition)

	mustAppend(b, caseStream(3), eventstore.NoStream, 8)
	e = mustAppend(a, caseStream(1), eventstore.Exactly(4), 9)
	assert.Equal(t, int64(7), e.GlobalPosition)
	mustAppend(b, caseStream(1), eventstore.Exactly(5), 10)
	e = mustAppend(a, caseStream(4), eventstore.AnyVersion, 11)
	assert.Equal(t, int64(9), e.GlobalPosition)

	all := readAll(t, a)
	require.Len(t, all, 9)
	for i, e := range all {
		assert.Equal(t, int64(i+1), e.GlobalPosition)
	}
	v, err := a.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
}

// testGroupCommit holds the first batch open, queues twenty appends to
// distinct streams behind it — one with a stale expected version, one that
// reuses an id with another body — and releases. The twenty are decided in
// one transaction; the two bad ones fail alone.
func testGroupCommit(t *testing.T, db Database) {
	ctx := ctxT(t)
	inTx, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s := db.Open(t, eventstore.Options{SealKey: testSealKey, BeforeCommit: func(context.Context) {
		once.Do(func() {
			close(inTx)
			<-release
		})
	}})
	reused := note(0)
	go func() {
		_, err := s.Append(ctx, caseStream(0), eventstore.NoStream, reused)
		assert.NoError(t, err)
	}()
	<-inTx

	const queued = 20
	errs := make([]error, queued)
	var wg sync.WaitGroup
	for i := range queued {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i {
			case 3:
				_, errs[i] = s.Append(ctx, caseStream(100+i), eventstore.Exactly(7), note(i))
			case 11:
				clash := reused
				clash.Data = json.RawMessage(`{"n":"another body"}`)
				_, errs[i] = s.Append(ctx, caseStream(100+i), eventstore.NoStream, clash)
			default:
				_, errs[i] = s.Append(ctx, caseStream(100+i), eventstore.NoStream, note(100+i))
			}
		}()
	}
	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(releaseAll) // a failed assertion must not leave the transaction held
	require.Eventually(t, func() bool { return s.Stats().Queued == queued }, 10*time.Second, time.Millisecond)
	releaseAll()
	wg.Wait()

	for i, err := range errs {
		switch i {
		case 3:
			requireConflict(t, err, 0)
		case 11:
			assert.ErrorIs(t, err, eventstore.ErrEventIDReused)
		default:
			assert.NoError(t, err, "append %d", i)
		}
	}
	stats := s.Stats()
	assert.Equal(t, int64(2), stats.Batches, "the first append, then all twenty in one transaction")
	assert.Equal(t, int64(1+queued-2), stats.Events)
	assert.Equal(t, int64(1+queued), stats.Appends)
	all := readAll(t, s)
	require.Len(t, all, 1+queued-2)
	for i, e := range all {
		assert.Equal(t, int64(i+1), e.GlobalPosition)
	}
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
}
