package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// Run runs the whole contract against a backend. newDatabase makes a fresh,
// empty database for one test.
func Run(t *testing.T, newDatabase func(t testing.TB) Database) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db Database)
	}{
		{"ExpectedVersionModes", testExpectedVersionModes},
		{"SeveralEventsInOneAppendAreAtomic", testAtomicAppend},
		{"EnvelopeRoundTrips", testEnvelopeRoundTrips},
		{"InvalidAppendsAreRefused", testInvalidAppends},
		{"StreamKeepsItsType", testStreamType},
		{"ReadsPage", testReadsPage},
		{"ReadsSeveralStreams", testReadStreams},
		{"FiftyWritersOnOneStreamOneWinnerPerVersion", testFiftyWritersOneWinner},
		{"FiftyWritersOnOneStreamRetryingAllLand", testFiftyWritersRetrying},
		{"IdempotentRetry", testIdempotentRetry},
		{"EventIDReuseWithAnotherBody", testEventIDReuse},
		{"HeldOpenTransactionLeavesNoGap", testHeldOpenTransaction},
		{"GlobalOrderIsCommitOrder", testGlobalOrderIsCommitOrder},
		{"AnotherProcessWritesBetweenAppends", testAnotherProcessWritesBetween},
		{"AppendRefusedOnTamperedTail", testAppendRefusedOnTamperedTail},
		{"GroupCommitBatchesAndIsolatesFailures", testGroupCommit},
		{"OneMebibytePayload", testLargePayload},
		{"ChineseTextRoundTrips", testChineseText},
		{"ReopenKeepsEverythingAndContinuesChain", testReopen},
		{"CancelledAppendWritesNothing", testCancelledAppend},
		{"DatabaseRefusesUpdateAndDelete", testAppendOnlyGuard},
		{"VerifyEmptyAndIntactLog", testVerifyIntact},
		{"VerifyDetectsChangedData", testVerifyChangedData},
		{"VerifyDetectsDeletedRow", testVerifyDeletedRow},
		{"VerifyDetectsSwappedRows", testVerifySwappedRows},
		{"VerifyDetectsDeletionWithRenumbering", testVerifyRenumberedDeletion},
		{"VerifyDetectsForgedRow", testVerifyForgedRow},
		{"VerifyDetectsRemovedTail", testVerifyRemovedTail},
		{"VerifyDetectsRemovedTailAgainstExportedAnchor", testVerifyRemovedTailAnchor},
		{"VerifyDetectsForgedSeal", testVerifyForgedSeal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newDatabase(t))
		})
	}
}

// testSealKey is the seal key every store in the suite uses unless a test
// says otherwise.
var testSealKey = []byte("storetest seal key: 32 bytes....")

func open(t testing.TB, db Database) eventstore.Store {
	return db.Open(t, eventstore.Options{SealKey: testSealKey})
}

var businessTime = time.Date(2026, 3, 14, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))

func caseStream(n int) eventstore.StreamRef {
	return eventstore.StreamRef{ID: fmt.Sprintf("case-%04d", n), Type: "case"}
}

func event(typ string, data string) eventstore.NewEvent {
	return eventstore.NewEvent{
		ID:            uuid.Must(uuid.NewV7()),
		Type:          typ,
		SchemaVersion: 1,
		Data:          json.RawMessage(data),
		Metadata: eventstore.Metadata{
			Actor:         eventstore.Actor{Subject: "worker-1", Role: "caseworker", Jurisdiction: "370902"},
			CommandID:     "cmd-1",
			CorrelationID: "corr-1",
			CausationID:   "cause-1",
		},
		OccurredAt: businessTime,
	}
}

func note(i int) eventstore.NewEvent {
	return event("case.follow_up_recorded", fmt.Sprintf(`{"n":%d}`, i))
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func readAll(t testing.TB, s eventstore.Store) []eventstore.Event {
	events, err := s.ReadLog(ctxT(t), 0, 0)
	require.NoError(t, err)
	return events
}

func requireConflict(t testing.TB, err error, current int64) {
	t.Helper()
	require.ErrorIs(t, err, eventstore.ErrVersionConflict)
	var conflict *eventstore.VersionConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, current, conflict.Current, "current version carried by the conflict")
}

func testExpectedVersionModes(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	stream := caseStream(1)

	_, err := s.Append(ctx, stream, eventstore.Exactly(3), note(0))
	requireConflict(t, err, 0)

	out, err := s.Append(ctx, stream, eventstore.NoStream, note(1))
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.Equal(t, int64(1), out[0].StreamVersion)

	_, err = s.Append(ctx, stream, eventstore.NoStream, note(2))
	requireConflict(t, err, 1)

	out, err = s.Append(ctx, stream, eventstore.Exactly(1), note(3))
	require.NoError(t, err)
	assert.Equal(t, int64(2), out[0].StreamVersion)

	_, err = s.Append(ctx, stream, eventstore.Exactly(1), note(4))
	requireConflict(t, err, 2)
	_, err = s.Append(ctx, stream, eventstore.Exactly(5), note(5))
	requireConflict(t, err, 2)

	out, err = s.Append(ctx, stream, eventstore.AnyVersion, note(6))
	require.NoError(t, err)
	assert.Equal(t, int64(3), out[0].StreamVersion)
	out, err = s.Append(ctx, caseStream(2), eventstore.AnyVersion, note(7))
	require.NoError(t, err)
	assert.Equal(t, int64(1), out[0].StreamVersion)

	all := readAll(t, s)
	require.Len(t, all, 4, "failed appends wrote nothing")
	var datas []string
	for _, e := range all {
		datas = append(datas, string(e.Data))
	}
	assert.Equal(t, []string{`{"n":1}`, `{"n":3}`, `{"n":6}`, `{"n":7}`}, datas)
}

func testAtomicAppend(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	_, err := s.Append(ctx, caseStream(9), eventstore.NoStream, note(0))
	require.NoError(t, err)

	out, err := s.Append(ctx, caseStream(1), eventstore.NoStream, note(1), note(2), note(3))
	require.NoError(t, err)
	require.Len(t, out, 3)
	for i, e := range out {
		assert.Equal(t, int64(i+1), e.StreamVersion)
		assert.Equal(t, int64(i+2), e.GlobalPosition)
	}

	bad := note(6)
	bad.Data = json.RawMessage(`{"n":`)
	_, err = s.Append(ctx, caseStream(1), eventstore.Exactly(3), note(4), note(5), bad)
	require.ErrorIs(t, err, eventstore.ErrInvalidEvent)
	_, err = s.Append(ctx, caseStream(1), eventstore.Exactly(2), note(4), note(5))
	requireConflict(t, err, 3)

	stream, err := s.ReadStream(ctx, "case-0001", 0, 0)
	require.NoError(t, err)
	assert.Len(t, stream, 3, "a refused append writes none of its events")
	assert.Len(t, readAll(t, s), 4)
}

func testEnvelopeRoundTrips(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	before := time.Now().Add(-time.Second)
	first, second := note(1), event("case.assigned", `{"worker_id": "w-7",  "note" : "spaces are compacted"}`)
	second.SchemaVersion = 3
	second.Metadata.Actor.Role = "admin"
	out, err := s.Append(ctx, caseStream(1), eventstore.NoStream, first, second)
	require.NoError(t, err)
	after := time.Now().Add(time.Second)

	stored, err := s.ReadStream(ctx, "case-0001", 0, 0)
	require.NoError(t, err)
	logged := readAll(t, s)
	require.Len(t, stored, 2)
	assert.Equal(t, out, stored, "Append answers the events as stored")
	assert.Equal(t, stored, logged, "stream and log reads agree")

	e := stored[1]
	assert.Equal(t, second.ID, e.ID)
	assert.Equal(t, "case-0001", e.StreamID)
	assert.Equal(t, "case", e.StreamType)
	assert.Equal(t, int64(2), e.StreamVersion)
	assert.Equal(t, int64(2), e.GlobalPosition)
	assert.Equal(t, "case.assigned", e.Type)
	assert.Equal(t, 3, e.SchemaVersion)
	assert.JSONEq(t, string(second.Data), string(e.Data))
	assert.Equal(t, `{"worker_id":"w-7","note":"spaces are compacted"}`, string(e.Data))
	meta, err := e.Meta()
	require.NoError(t, err)
	assert.Equal(t, second.Metadata, meta)
	assert.True(t, e.OccurredAt.Equal(businessTime.Truncate(time.Microsecond)), "occurred_at %s", e.OccurredAt)
	assert.Equal(t, time.UTC, e.OccurredAt.Location())
	assert.True(t, e.RecordedAt.After(before) && e.RecordedAt.Before(after), "recorded_at %s is set by the store", e.RecordedAt)
	assert.False(t, stored[0].RecordedAt.After(e.RecordedAt), "recorded_at never runs backwards")

	assert.True(t, stored[0].PrevHash.IsZero(), "the first event chains to the zero hash")
	assert.Equal(t, stored[0].Hash, e.PrevHash)
	for _, ev := range stored {
		assert.Equal(t, eventstore.ChainHash(ev.PrevHash, ev), ev.Hash)
	}
	head, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Anchor{Position: 2, Hash: e.Hash}, head)

	// An event without an id gets a UUIDv7.
	anon := note(3)
	anon.ID = uuid.Nil
	out, err = s.Append(ctx, caseStream(2), eventstore.NoStream, anon)
	require.NoError(t, err)
	assert.Equal(t, uuid.Version(7), out[0].ID.Version())
}

func testInvalidAppends(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	mutate := func(f func(*eventstore.NewEvent)) eventstore.NewEvent {
		e := note(1)
		f(&e)
		return e
	}
	dup := note(2)
	cases := map[string]struct {
		stream   eventstore.StreamRef
		expected eventstore.ExpectedVersion
		events   []eventstore.NewEvent
	}{
		"no stream id":       {eventstore.StreamRef{Type: "case"}, eventstore.AnyVersion, []eventstore.NewEvent{note(1)}},
		"no stream type":     {eventstore.StreamRef{ID: "case-1"}, eventstore.AnyVersion, []eventstore.NewEvent{note(1)}},
		"bad expected":       {caseStream(1), eventstore.ExpectedVersion(-7), []eventstore.NewEvent{note(1)}},
		"no events":          {caseStream(1), eventstore.AnyVersion, nil},
		"no type":            {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{mutate(func(e *eventstore.NewEvent) { e.Type = "" })}},
		"schema version 0":   {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{mutate(func(e *eventstore.NewEvent) { e.SchemaVersion = 0 })}},
		"no occurred_at":     {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{mutate(func(e *eventstore.NewEvent) { e.OccurredAt = time.Time{} })}},
		"data not JSON":      {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{mutate(func(e *eventstore.NewEvent) { e.Data = json.RawMessage(`{"a":}`) })}},
		"no data":            {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{mutate(func(e *eventstore.NewEvent) { e.Data = nil })}},
		"data not UTF-8":     {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{mutate(func(e *eventstore.NewEvent) { e.Data = json.RawMessage("\"\xff\xfe\"") })}},
		"data too large":     {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{mutate(func(e *eventstore.NewEvent) { e.Data = bigJSON(eventstore.MaxDataBytes + 1) })}},
		"same id twice":      {caseStream(1), eventstore.AnyVersion, []eventstore.NewEvent{dup, dup}},
		"stream id too long": {eventstore.StreamRef{ID: strings.Repeat("x", 201), Type: "case"}, eventstore.AnyVersion, []eventstore.NewEvent{note(1)}},
	}
	for name, tc := range cases {
		_, err := s.Append(ctx, tc.stream, tc.expected, tc.events...)
		assert.ErrorIs(t, err, eventstore.ErrInvalidEvent, name)
	}
	assert.Empty(t, readAll(t, s))
}

func testStreamType(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, note(1))
	require.NoError(t, err)
	_, err = s.Append(ctx, eventstore.StreamRef{ID: "case-0001", Type: "child"}, eventstore.AnyVersion, note(2))
	require.ErrorIs(t, err, eventstore.ErrStreamTypeMismatch)
	assert.Len(t, readAll(t, s), 1)
}

func testReadsPage(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	for i := range 10 {
		_, err := s.Append(ctx, caseStream(i%2), eventstore.AnyVersion, note(i))
		require.NoError(t, err)
	}
	page, err := s.ReadLog(ctx, 3, 4)
	require.NoError(t, err)
	require.Len(t, page, 4)
	assert.Equal(t, int64(4), page[0].GlobalPosition)
	assert.Equal(t, int64(7), page[3].GlobalPosition)
	page, err = s.ReadLog(ctx, 8, 100)
	require.NoError(t, err)
	assert.Len(t, page, 2)
	page, err = s.ReadLog(ctx, 10, 100)
	require.NoError(t, err)
	assert.Empty(t, page)

	stream, err := s.ReadStream(ctx, "case-0001", 2, 2)
	require.NoError(t, err)
	require.Len(t, stream, 2)
	assert.Equal(t, []int64{3, 4}, []int64{stream[0].StreamVersion, stream[1].StreamVersion})
	assert.Equal(t, `{"n":5}`, string(stream[0].Data))
	none, err := s.ReadStream(ctx, "case-9999", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, none)
}

// testReadStreams: ReadStreams gives each stream asked for what ReadStream
// gives, in version order, cut at the bound; unknown streams, and streams
// that begin after the bound, are absent; repeated ids are read once; a
// long list of ids is read whole.
func testReadStreams(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	for i := range 9 {
		_, err := s.Append(ctx, caseStream(i%3), eventstore.AnyVersion, note(i))
		require.NoError(t, err)
	}
	_, err := s.Append(ctx, caseStream(1), eventstore.AnyVersion, note(9), note(10), note(11))
	require.NoError(t, err)
	bound := int64(10) // case-0001 is cut in the middle of its last append
	_, err = s.Append(ctx, caseStream(3), eventstore.AnyVersion, note(12))
	require.NoError(t, err)
	_, err = s.Append(ctx, caseStream(0), eventstore.AnyVersion, note(13))
	require.NoError(t, err)

	// want is ReadStream cut at the bound, for the streams that have events.
	want := func(upTo int64, ids ...string) map[string][]eventstore.Event {
		out := map[string][]eventstore.Event{}
		for _, id := range ids {
			all, err := s.ReadStream(ctx, id, 0, 0)
			require.NoError(t, err)
			for _, e := range all {
				if upTo <= 0 || e.GlobalPosition <= upTo {
					out[id] = append(out[id], e)
				}
			}
		}
		return out
	}
	versions := func(events []eventstore.Event) []int64 {
		var out []int64
		for _, e := range events {
			out = append(out, e.StreamVersion)
		}
		return out
	}
	asked := []string{"case-0002", "case-9999", "case-0000", "case-0002", "case-0003", "case-0001"}

	got, err := s.ReadStreams(ctx, asked, 0)
	require.NoError(t, err)
	assert.Equal(t, want(0, "case-0000", "case-0001", "case-0002", "case-0003"), got)
	assert.Equal(t, []int64{1, 2, 3, 4}, versions(got["case-0000"]))
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, versions(got["case-0001"]))
	assert.NotContains(t, got, "case-9999")

	got, err = s.ReadStreams(ctx, asked, bound)
	require.NoError(t, err)
	assert.Equal(t, want(bound, "case-0000", "case-0001", "case-0002"), got)
	assert.Equal(t, []int64{1, 2, 3, 4}, versions(got["case-0001"]))
	assert.Equal(t, []int64{1, 2, 3}, versions(got["case-0000"]))
	assert.NotContains(t, got, "case-0003", "a stream that begins after the bound")
	for id, events := range got {
		for _, e := range events {
			assert.Equal(t, id, e.StreamID)
			assert.LessOrEqual(t, e.GlobalPosition, bound)
		}
	}

	many := make([]string, 1200)
	for i := range many {
		many[i] = fmt.Sprintf("case-9%04d", i)
	}
	many[0], many[700], many[1199] = "case-0003", "case-0000", "case-0001"
	got, err = s.ReadStreams(ctx, many, 0)
	require.NoError(t, err)
	assert.Equal(t, want(0, "case-0000", "case-0001", "case-0003"), got)

	got, err = s.ReadStreams(ctx, nil, 0)
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = s.ReadStreams(ctx, []string{"case-9999"}, bound)
	require.NoError(t, err)
	assert.Empty(t, got)
}

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

func testIdempotentRetry(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	a, b := note(1), note(2)
	first, err := s.Append(ctx, caseStream(1), eventstore.NoStream, a, b)
	require.NoError(t, err)
	_, err = s.Append(ctx, caseStream(2), eventstore.NoStream, note(3))
	require.NoError(t, err)
	headBefore, err := s.Head(ctx)
	require.NoError(t, err)

	// The same append again — even with an expected version that is no
	// longer current — answers the original events and writes nothing.
	again, err := s.Append(ctx, caseStream(1), eventstore.NoStream, a, b)
	require.NoError(t, err)
	assert.Equal(t, first, again)

	// Whitespace in the data does not make it another body.
	spaced := a
	spaced.Data = json.RawMessage(`{ "n" : 1 }`)
	again, err = s.Append(ctx, caseStream(1), eventstore.AnyVersion, spaced, b)
	require.NoError(t, err)
	assert.Equal(t, first, again)

	headAfter, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, headBefore, headAfter, "a retry appends nothing")
	assert.Len(t, readAll(t, s), 3)
}

func testEventIDReuse(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	a := note(1)
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, a)
	require.NoError(t, err)

	otherData := a
	otherData.Data = json.RawMessage(`{"n":2}`)
	otherTime := a
	otherTime.OccurredAt = a.OccurredAt.Add(time.Minute)
	otherActor := a
	otherActor.Metadata.Actor.Subject = "someone-else"
	otherType := a
	otherType.Type = "case.closed"
	for name, e := range map[string]eventstore.NewEvent{
		"other data": otherData, "other occurred_at": otherTime, "other actor": otherActor, "other type": otherType,
	} {
		_, err = s.Append(ctx, caseStream(1), eventstore.AnyVersion, e)
		assert.ErrorIs(t, err, eventstore.ErrEventIDReused, name)
	}
	_, err = s.Append(ctx, caseStream(2), eventstore.AnyVersion, a)
	assert.ErrorIs(t, err, eventstore.ErrEventIDReused, "same id in another stream")
	_, err = s.Append(ctx, caseStream(1), eventstore.AnyVersion, a, note(5))
	assert.ErrorIs(t, err, eventstore.ErrEventIDReused, "an append only partly stored")
	assert.Len(t, readAll(t, s), 1)
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

// testAppendRefusedOnTamperedTail: once the end of the log no longer matches
// its seal, a store that reads the log refuses to append — appending would
// chain onto the cut log and rewrite the seal, erasing the evidence.
func testAppendRefusedOnTamperedTail(t *testing.T, db Database) {
	ctx := ctxT(t)
	s := open(t, db)
	fillLog(t, s, 6)
	require.NoError(t, s.Close())
	require.NoError(t, db.Tamper().Delete(ctx, 5, 6))

	s = open(t, db)
	_, err := s.Append(ctx, caseStream(7), eventstore.NoStream, note(7))
	require.ErrorIs(t, err, eventstore.ErrLogTampered)
	assert.Len(t, readAll(t, s), 4, "nothing was appended")
	requireBrokenAt(t, s, 5)

	require.NoError(t, db.Tamper().DeleteSeal(ctx))
	_, err = s.Append(ctx, caseStream(7), eventstore.NoStream, note(7))
	require.ErrorIs(t, err, eventstore.ErrLogTampered, "a log with events and no seal is refused too")
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
	require.Eventually(t, func() bool { return s.Stats().Queued == queued }, 10*time.Second, time.Millisecond)
	close(release)
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

func bigJSON(size int) json.RawMessage {
	// {"blob":"xxxx…"} of exactly size bytes.
	return json.RawMessage(`{"blob":"` + strings.Repeat("x", size-len(`{"blob":""}`)) + `"}`)
}

func testLargePayload(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	e := note(0)
	e.Data = bigJSON(1 << 20)
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, e)
	require.NoError(t, err)
	stored := readAll(t, s)
	require.Len(t, stored, 1)
	assert.Len(t, stored[0].Data, 1<<20)
	assert.Equal(t, string(e.Data), string(stored[0].Data))
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
}

func testChineseText(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	e := event("case.report_received", `{"summary":"儿童主任走访发现：孩子独自在家，父母外出务工，已向派出所报告。","reporter":{"name":"王秀英"},"emoji":"👧"}`)
	e.Metadata.Actor = eventstore.Actor{Subject: "儿童主任-李娟", Role: "child_director", Jurisdiction: "370902101201"}
	stream := eventstore.StreamRef{ID: "child-留守儿童-001", Type: "child"}
	_, err := s.Append(ctx, stream, eventstore.NoStream, e)
	require.NoError(t, err)
	stored, err := s.ReadStream(ctx, stream.ID, 0, 0)
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.Equal(t, string(e.Data), string(stored[0].Data))
	assert.Equal(t, stream.ID, stored[0].StreamID)
	meta, err := stored[0].Meta()
	require.NoError(t, err)
	assert.Equal(t, "儿童主任-李娟", meta.Actor.Subject)
	var decoded struct{ Summary string }
	require.NoError(t, json.Unmarshal(stored[0].Data, &decoded))
	assert.Equal(t, "儿童主任走访发现：孩子独自在家，父母外出务工，已向派出所报告。", decoded.Summary)
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
}

func testReopen(t *testing.T, db Database) {
	ctx := ctxT(t)
	s := open(t, db)
	for i := range 5 {
		_, err := s.Append(ctx, caseStream(i%2), eventstore.AnyVersion, note(i))
		require.NoError(t, err)
	}
	before := readAll(t, s)
	require.NoError(t, s.Close())
	_, err := s.Append(ctx, caseStream(0), eventstore.AnyVersion, note(99))
	require.ErrorIs(t, err, eventstore.ErrClosed)

	s = open(t, db)
	assert.Equal(t, before, readAll(t, s), "reopening keeps everything")
	out, err := s.Append(ctx, caseStream(0), eventstore.Exactly(3), note(5))
	require.NoError(t, err)
	assert.Equal(t, int64(6), out[0].GlobalPosition)
	assert.Equal(t, int64(4), out[0].StreamVersion)
	assert.Equal(t, before[4].Hash, out[0].PrevHash, "the chain continues")
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 6}, v)
}

func testCancelledAppend(t *testing.T, db Database) {
	s := open(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, note(1))
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, readAll(t, s))
}

func testAppendOnlyGuard(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, note(1))
	require.NoError(t, err)
	assert.Error(t, db.Tamper().PlainUpdate(ctx, 1), "UPDATE of an event is refused")
	assert.Error(t, db.Tamper().PlainDelete(ctx, 1), "DELETE of an event is refused")
	stored := readAll(t, s)
	require.Len(t, stored, 1)
	assert.Equal(t, `{"n":1}`, string(stored[0].Data))
}

// fillLog appends n events over three streams.
func fillLog(t testing.TB, s eventstore.Store, n int) []eventstore.Event {
	ctx := ctxT(t)
	for i := range n {
		_, err := s.Append(ctx, caseStream(i%3), eventstore.AnyVersion, note(i))
		require.NoError(t, err)
	}
	return readAll(t, s)
}

func requireBrokenAt(t testing.TB, s eventstore.Store, position int64, anchors ...eventstore.Anchor) eventstore.Verification {
	t.Helper()
	v, err := s.Verify(ctxT(t), anchors...)
	require.NoError(t, err)
	require.False(t, v.OK, "tampering must be detected")
	require.NotNil(t, v.FirstBrokenPosition)
	assert.Equal(t, position, *v.FirstBrokenPosition, v.Reason)
	assert.NotEmpty(t, v.Reason)
	return v
}

func testVerifyIntact(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 0}, v)
	fillLog(t, s, 10)
	head, err := s.Head(ctx)
	require.NoError(t, err)
	v, err = s.Verify(ctx, head)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 10}, v)
}

func testVerifyChangedData(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().SetData(ctx, 4, `{"n":333}`))
	v := requireBrokenAt(t, s, 4)
	assert.Equal(t, int64(10), v.Checked, "the walk goes on to the end")
}

func testVerifyDeletedRow(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 6))
	requireBrokenAt(t, s, 6)
}

func testVerifySwappedRows(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Swap(ctx, 3, 8))
	requireBrokenAt(t, s, 3)
}

// testVerifyRenumberedDeletion: event 6 is removed and the later events are
// moved down one position, each rehashed so that it is consistent in itself.
// Only the link to the previous event shows where the chain was cut.
func testVerifyRenumberedDeletion(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	events := fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 6, 7, 8, 9, 10))
	for _, e := range events[6:] {
		e.GlobalPosition--
		e.Hash = eventstore.ChainHash(e.PrevHash, e)
		require.NoError(t, db.Tamper().Insert(ctx, e))
	}
	requireBrokenAt(t, s, 6)
}

// testVerifyForgedRow: a row inserted after the head, once with a made-up
// hash and once correctly chained by someone who knows the algorithm — the
// head seal, which the forger cannot sign, catches the latter.
func testVerifyForgedRow(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	events := fillLog(t, s, 5)
	forged := events[2]
	forged.ID = uuid.Must(uuid.NewV7())
	forged.GlobalPosition = 6
	forged.StreamVersion = 99
	forged.Data = json.RawMessage(`{"n":"forged"}`)
	forged.PrevHash = events[4].Hash
	forged.Hash = eventstore.Hash{1, 2, 3}
	require.NoError(t, db.Tamper().Insert(ctx, forged))
	requireBrokenAt(t, s, 6)

	require.NoError(t, db.Tamper().Delete(ctx, 6))
	forged.Hash = eventstore.ChainHash(forged.PrevHash, forged)
	require.NoError(t, db.Tamper().Insert(ctx, forged))
	v := requireBrokenAt(t, s, 6)
	assert.Contains(t, v.Reason, "seal")
}

func testVerifyRemovedTail(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 9, 10))
	v := requireBrokenAt(t, s, 9)
	assert.Equal(t, int64(8), v.Checked)
}

// testVerifyRemovedTailAgainstExportedAnchor: the tail is removed and the
// seal rewritten to match. A store that has no seal key cannot tell (the
// documented limit), but the head an inspector exported earlier still shows
// it; so does the signature check of a store that has the key, and so does a
// missing seal.
func testVerifyRemovedTailAnchor(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	exported, err := s.Head(ctx)
	require.NoError(t, err)
	require.NoError(t, db.Tamper().Delete(ctx, 8, 9, 10))
	events := readAll(t, s)
	resealed := eventstore.Anchor{Position: 7, Hash: events[6].Hash}
	require.NoError(t, db.Tamper().SetSeal(ctx, eventstore.Seal{Anchor: resealed, SealedAt: time.Now()}))

	unkeyed := db.Open(t, eventstore.Options{})
	v, err := unkeyed.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, "without a key or an anchor a consistent truncation cannot show: %s", v.Reason)
	requireBrokenAt(t, unkeyed, 8, exported)
	requireBrokenAt(t, s, 8)

	require.NoError(t, db.Tamper().DeleteSeal(ctx))
	v = requireBrokenAt(t, s, 8)
	assert.Contains(t, v.Reason, "missing")
}

// testVerifyForgedSeal: the tail is removed and the seal rewritten to match,
// but the forger has no seal key.
func testVerifyForgedSeal(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	events := fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 10))
	forged := eventstore.Anchor{Position: 9, Hash: events[8].Hash}
	at := time.Now()
	require.NoError(t, db.Tamper().SetSeal(ctx, eventstore.Seal{Anchor: forged, SealedAt: at, MAC: eventstore.SealMAC([]byte("a guessed key"), forged, at)}))
	v := requireBrokenAt(t, s, 10)
	assert.Contains(t, v.Reason, "signature")
}
