package kurrenttest_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/kurrent/kurrenttest"
)

// The double, through the real client, behaves as the package comment says.

func client(t *testing.T) (*kurrenttest.Server, *esdb.Client) {
	t.Helper()
	s := kurrenttest.New(t)
	cfg, err := esdb.ParseConnectionString(s.URL())
	require.NoError(t, err)
	cfg.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return s, c
}

func event(typ string) esdb.EventData {
	return esdb.EventData{EventID: uuid.New(), EventType: typ, ContentType: esdb.ContentTypeJson, Data: []byte(`{"n":1}`), Metadata: []byte(`{"m":2}`)}
}

func appendTo(t *testing.T, c *esdb.Client, stream string, expected esdb.ExpectedRevision, events ...esdb.EventData) (*esdb.WriteResult, error) {
	t.Helper()
	return c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: expected}, events...)
}

// reader drains a read: read(c.ReadAll(…)).
func reader(t *testing.T) func(rs *esdb.ReadStream, err error) ([]*esdb.RecordedEvent, error) {
	return func(rs *esdb.ReadStream, err error) ([]*esdb.RecordedEvent, error) {
		require.NoError(t, err)
		return drain(rs)
	}
}

func drain(rs *esdb.ReadStream) ([]*esdb.RecordedEvent, error) {
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev.Event)
	}
}

func code(err error) esdb.ErrorCode {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

func TestExpectedRevisions(t *testing.T) {
	read := reader(t)
	_, c := client(t)
	_, err := appendTo(t, c, "s", esdb.StreamExists{}, event("a"))
	assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, code(err), "stream exists, of a stream that does not")
	_, err = appendTo(t, c, "s", esdb.Revision(0), event("a"))
	assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, code(err), "revision 0 of a stream that does not exist")

	res, err := appendTo(t, c, "s", esdb.NoStream{}, event("a"), event("b"))
	require.NoError(t, err)
	assert.Equal(t, uint64(1), res.NextExpectedVersion, "two events: revisions 0 and 1")
	_, err = appendTo(t, c, "s", esdb.NoStream{}, event("c"))
	assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, code(err))
	assert.ErrorContains(t, err, "got '1'", "the current revision is in the answer")
	_, err = appendTo(t, c, "s", esdb.Revision(0), event("c"))
	assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, code(err))
	_, err = appendTo(t, c, "s", esdb.Revision(1), event("c"))
	require.NoError(t, err)
	_, err = appendTo(t, c, "s", esdb.StreamExists{}, event("d"))
	require.NoError(t, err)
	_, err = appendTo(t, c, "s", esdb.Any{}, event("e"))
	require.NoError(t, err)

	events, err := read(c.ReadStream(context.Background(), "s", esdb.ReadStreamOptions{}, 100))
	require.NoError(t, err)
	var types string
	for i, e := range events {
		types += e.EventType
		assert.Equal(t, uint64(i), e.EventNumber)
	}
	assert.Equal(t, "abcde", types, "a refused append wrote nothing")
}

func TestReads(t *testing.T) {
	read := reader(t)
	s, c := client(t)
	before := time.Now()
	for i := range 3 {
		_, err := appendTo(t, c, "s-"+strconv.Itoa(i%2), esdb.Any{}, event("e"+strconv.Itoa(i)))
		require.NoError(t, err)
	}
	ctx := context.Background()

	_, err := read(c.ReadStream(ctx, "nobody", esdb.ReadStreamOptions{}, 10))
	assert.Equal(t, esdb.ErrorCodeResourceNotFound, code(err), "a stream that does not exist")

	all, err := read(c.ReadAll(ctx, esdb.ReadAllOptions{}, 100))
	require.NoError(t, err)
	require.Len(t, all, 5, "two system records, then the three events")
	assert.Equal(t, "$epochs", all[0].StreamID)
	for i, e := range all[2:] {
		assert.Equal(t, "e"+strconv.Itoa(i), e.EventType, "$all in commit order")
		assert.Equal(t, "application/json", e.ContentType)
		assert.False(t, e.CreatedDate.Before(before.Add(-time.Second)), "created is set")
		assert.Equal(t, `{"m":2}`, string(e.UserMetadata))
	}
	for i := 1; i < len(all); i++ {
		assert.Greater(t, all[i].Position.Commit, all[i-1].Position.Commit+1, "commit positions grow, not densely")
	}

	from, err := read(c.ReadAll(ctx, esdb.ReadAllOptions{From: all[3].Position}, 100))
	require.NoError(t, err)
	require.Len(t, from, 2, "a read from a position includes the record there")
	assert.Equal(t, all[3].EventID, from[0].EventID)

	back, err := read(c.ReadAll(ctx, esdb.ReadAllOptions{From: esdb.End{}, Direction: esdb.Backwards}, 2))
	require.NoError(t, err)
	require.Len(t, back, 2)
	assert.Equal(t, []string{"e2", "e1"}, []string{back[0].EventType, back[1].EventType})

	stream, err := read(c.ReadStream(ctx, "s-0", esdb.ReadStreamOptions{From: esdb.Revision(1)}, 10))
	require.NoError(t, err)
	require.Len(t, stream, 1)
	assert.Equal(t, "e2", stream[0].EventType)
	last, err := read(c.ReadStream(ctx, "s-0", esdb.ReadStreamOptions{From: esdb.End{}, Direction: esdb.Backwards}, 1))
	require.NoError(t, err)
	require.Len(t, last, 1)
	assert.Equal(t, uint64(1), last[0].EventNumber)

	assert.Len(t, s.Records(), 5)
}

func TestEditAndFailures(t *testing.T) {
	read := reader(t)
	s, c := client(t)
	_, err := appendTo(t, c, "s", esdb.NoStream{}, event("a"), event("b"))
	require.NoError(t, err)
	s.Edit(func(all []kurrenttest.Record) []kurrenttest.Record {
		all[2].Data = []byte(`{"n":"changed"}`)
		return append(all[:3], kurrenttest.Record{Stream: "s", Revision: 5, ID: uuid.New(), Type: "forged", ContentType: "application/json", Data: []byte(`{}`)})
	})
	events, err := read(c.ReadStream(context.Background(), "s", esdb.ReadStreamOptions{}, 10))
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, `{"n":"changed"}`, string(events[0].Data))
	assert.Equal(t, "forged", events[1].EventType)
	assert.Equal(t, uint64(5), events[1].EventNumber)

	s.FailAppends("s", 1)
	_, err = appendTo(t, c, "s", esdb.Any{}, event("c"))
	assert.Error(t, err)
	_, err = appendTo(t, c, "s", esdb.Any{}, event("c"))
	assert.NoError(t, err, "only the next append fails")
	assert.Len(t, s.Records(), 5)

	s.FailAppendsAfter("s", 1, 1)
	_, err = appendTo(t, c, "s", esdb.Any{}, event("d"))
	assert.NoError(t, err, "the first goes through")
	_, err = appendTo(t, c, "s", esdb.Any{}, event("e"))
	assert.Error(t, err, "the second fails")
	_, err = appendTo(t, c, "s", esdb.Any{}, event("e"))
	assert.NoError(t, err)
	assert.Len(t, s.Records(), 7)
}
