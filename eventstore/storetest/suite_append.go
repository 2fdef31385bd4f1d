package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

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
	if !assert.ErrorIs(t, err, eventstore.ErrInvalidEvent) {
		t.FailNow()
	}
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
	for _, ev := range asStored(t, s, stored) {
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

// asStored is the events as the backend holds them: the events themselves,
// unless s is a decorator that changes the data on its way in (Unwrap
// gives the store underneath). Such a decorator must change nothing else.
// The hash chain covers the data as stored.
func asStored(t testing.TB, s eventstore.Store, events []eventstore.Event) []eventstore.Event {
	t.Helper()
	decorator, ok := s.(interface{ Unwrap() eventstore.Store })
	if !ok {
		return events
	}
	out := make([]eventstore.Event, len(events))
	for i, e := range events {
		stored, err := decorator.Unwrap().ReadStream(ctxT(t), e.StreamID, e.StreamVersion-1, 1)
		require.NoError(t, err)
		require.Len(t, stored, 1)
		out[i] = stored[0]
		stored[0].Data = e.Data
		assert.Equal(t, e, stored[0], "the decorator changes only the data")
	}
	return out
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
