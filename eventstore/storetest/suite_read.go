package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

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
