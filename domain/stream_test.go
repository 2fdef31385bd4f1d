package domain

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStreamIDRoundTrips(t *testing.T) {
	t.Parallel()
	const uuid = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	for _, tc := range []struct {
		name     string
		given    StreamID
		spelled  string
		kind     StreamKind
		id       string
		isPolicy bool
	}{
		{name: "a case", given: CaseStream("c1"), spelled: "case-c1", kind: StreamCase, id: "c1"},
		{name: "a child", given: ChildStream("k1"), spelled: "child-k1", kind: StreamChild, id: "k1"},
		{name: "a worker", given: WorkerStream("w1"), spelled: "worker-w1", kind: StreamWorker, id: "w1"},
		{name: "an inquiry", given: InquiryStream("i1"), spelled: "inquiry-i1", kind: StreamInquiry, id: "i1"},
		{name: "the policy stream", given: PolicyStream, spelled: "policy", kind: StreamPolicy, id: "", isPolicy: true},
		{name: "a case whose id is a UUID, with dashes", given: CaseStream(uuid), spelled: "case-" + uuid, kind: StreamCase, id: uuid},
		{name: "a child whose id is a UUID, with dashes", given: ChildStream(uuid), spelled: "child-" + uuid, kind: StreamChild, id: uuid},
		{name: "an id that starts with a dash", given: WorkerStream("-w"), spelled: "worker--w", kind: StreamWorker, id: "-w"},
		{name: "an id that names another kind", given: InquiryStream("case-1"), spelled: "inquiry-case-1", kind: StreamInquiry, id: "case-1"},
		{name: "an id in Chinese", given: CaseStream("个案一"), spelled: "case-个案一", kind: StreamCase, id: "个案一"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// given a stream id, when it is spelled and parsed again,
			assert.Equal(t, tc.spelled, tc.given.String())
			parsed, err := ParseStreamID(tc.spelled)
			require.NoError(t, err)
			// then it is the same stream, with its kind and id.
			assert.Equal(t, tc.given, parsed)
			assert.Equal(t, tc.kind, parsed.Kind())
			assert.Equal(t, tc.id, parsed.ID())
			assert.False(t, parsed.IsZero())
			assert.Equal(t, tc.isPolicy, parsed == PolicyStream)

			text, err := parsed.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tc.spelled, string(text))
			var back StreamID
			require.NoError(t, back.UnmarshalText(text))
			assert.Equal(t, tc.given, back)
		})
	}
}

func TestParseStreamIDRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, spelled string }{
		{"nothing", ""},
		{"an unknown kind", "report-1"},
		{"an unknown kind that looks like a UUID", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"},
		{"a case without an id", "case"},
		{"a case with an empty id", "case-"},
		{"a child without an id", "child"},
		{"a worker with an empty id", "worker-"},
		{"an inquiry without an id", "inquiry"},
		{"the policy stream with an id", "policy-1"},
		{"the policy stream with a dash", "policy-"},
		{"a kind in capitals", "Case-1"},
		{"a kind with a space", " case-1"},
		{"a kind spelled with an underscore", "case_1"},
		{"a dash alone", "-"},
		{"an id without a kind", "-c1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStreamID(tc.spelled)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "stream id")
			assert.Equal(t, StreamID{}, got, "a refused stream id names no stream")
			assert.True(t, got.IsZero())

			if tc.spelled != "" { // the empty text is the zero stream id
				s := CaseStream("kept")
				require.Error(t, s.UnmarshalText([]byte(tc.spelled)), "the text form refuses it too")
				assert.Equal(t, CaseStream("kept"), s, "a refused text leaves the value as it was")
			}
		})
	}
}

func TestStreamIDZero(t *testing.T) {
	t.Parallel()
	var zero StreamID
	assert.True(t, zero.IsZero())
	assert.Empty(t, zero.String())
	assert.Empty(t, zero.Kind())
	assert.Empty(t, zero.ID())
	assert.False(t, PolicyStream.IsZero())
	assert.False(t, CaseStream("c1").IsZero())
	assert.NotEqual(t, CaseStream("x"), ChildStream("x"), "the same id in streams of two kinds are two streams")

	// The empty text is the zero stream id, both ways.
	text, err := zero.MarshalText()
	require.NoError(t, err)
	assert.Empty(t, text)
	s := CaseStream("c1")
	require.NoError(t, s.UnmarshalText(nil))
	assert.True(t, s.IsZero())
}

func TestStreamIDJSON(t *testing.T) {
	t.Parallel()
	type holder struct {
		Stream StreamID            `json:"stream"`
		Keyed  map[StreamID]string `json:"keyed"`
	}
	given := holder{Stream: CaseStream("0190-aa"), Keyed: map[StreamID]string{ChildStream("k-1"): "a child", PolicyStream: "the policy"}}

	b, err := json.Marshal(given)
	require.NoError(t, err)
	assert.JSONEq(t, `{"stream":"case-0190-aa","keyed":{"child-k-1":"a child","policy":"the policy"}}`, string(b))

	var back holder
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, given, back)

	var empty holder
	require.NoError(t, json.Unmarshal([]byte(`{"stream":""}`), &empty))
	assert.True(t, empty.Stream.IsZero())

	var bad holder
	assert.Error(t, json.Unmarshal([]byte(`{"stream":"case"}`), &bad))
	assert.Error(t, json.Unmarshal([]byte(`{"stream":"tale-1"}`), &bad))
}

func TestTouchedIDs(t *testing.T) {
	t.Parallel()
	rec := func(s StreamID) Recorded { return Recorded{StreamID: s, Event: FollowUpRecorded{Note: "n"}} }
	events := []Recorded{
		rec(CaseStream("c2")),
		rec(ChildStream("k1")),
		rec(CaseStream("c1")),
		rec(CaseStream("c2")),
		rec(PolicyStream),
		rec(WorkerStream("c3")), // the id of a case, in a worker's stream
		rec(ChildStream("c1")),  // and of a case in a child's stream
		rec(CaseStream("c1")),
		rec(CaseStream("0190a1b2-c3d4")),
		rec(InquiryStream("i1")),
	}
	for _, tc := range []struct {
		name   string
		events []Recorded
		kind   StreamKind
		want   []string
	}{
		{"cases once each, in order of first appearance", events, StreamCase, []string{"c2", "c1", "0190a1b2-c3d4"}},
		{"children", events, StreamChild, []string{"k1", "c1"}},
		{"workers", events, StreamWorker, []string{"c3"}},
		{"inquiries", events, StreamInquiry, []string{"i1"}},
		{"a kind no event has", events[:4], StreamInquiry, nil},
		{"no events", nil, StreamCase, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, TouchedIDs(tc.events, tc.kind))
		})
	}
}

func TestContinuedIDs(t *testing.T) {
	t.Parallel()
	rec := func(s StreamID, version int64) Recorded { return Recorded{StreamID: s, Version: version} }
	events := []Recorded{
		rec(CaseStream("new"), 1), rec(CaseStream("new"), 2),
		rec(CaseStream("old"), 7), rec(CaseStream("old"), 8),
		rec(ChildStream("old-child"), 3),
		rec(CaseStream("again"), 4),
		rec(ChildStream("new-child"), 1),
	}
	assert.Equal(t, []string{"old", "again"}, ContinuedIDs(events, StreamCase), "a stream met from its first event has no past")
	assert.Equal(t, []string{"old-child"}, ContinuedIDs(events, StreamChild))
	assert.Nil(t, ContinuedIDs(events, StreamWorker))
	assert.Equal(t, []string{"new", "old", "again"}, TouchedIDs(events, StreamCase))
}
