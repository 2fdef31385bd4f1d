package eventstore_test

import (
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

func knownEvent() (eventstore.Hash, eventstore.Event) {
	var prev eventstore.Hash
	for i := range prev {
		prev[i] = byte(i)
	}
	return prev, eventstore.Event{
		ID:             uuid.MustParse("0190b7c2-1234-7abc-8def-0123456789ab"),
		StreamID:       "case-1",
		StreamType:     "case",
		StreamVersion:  7,
		GlobalPosition: 42,
		Type:           "case.report_received",
		SchemaVersion:  2,
		Data:           json.RawMessage(`{"summary":"孩子独自在家"}`),
		Metadata:       json.RawMessage(`{"actor":{"subject":"w-1","role":"caseworker","jurisdiction":"370902"}}`),
		OccurredAt:     time.UnixMicro(1773451800123456).UTC(),
		RecordedAt:     time.UnixMicro(1773452000654321).UTC(),
	}
}

// TestChainHashKnownAnswer pins the canonical encoding documented on
// ChainHash. The expected values were computed by an independent
// implementation of that documentation (Python's hashlib and struct), so an
// inspector can re-verify a chain without this code.
func TestChainHashKnownAnswer(t *testing.T) {
	prev, e := knownEvent()
	h := eventstore.ChainHash(prev, e)
	assert.Equal(t, "0bdd77437ed56c701f6e71445a32859b9721c8d0538d7dca5e0e7fa5d0ab0526", h.String())
	mac := eventstore.SealMAC([]byte("seal-key"), eventstore.Anchor{Position: 42, Hash: h}, e.RecordedAt)
	assert.Equal(t, "0ebb4abe2e88cb6448cadc035025872e4f4b6b0f5a0a07612732b7952e24cce7", hex.EncodeToString(mac))
	assert.Nil(t, eventstore.SealMAC(nil, eventstore.Anchor{Position: 42, Hash: h}, e.RecordedAt))
}

// TestChainHashCoversEveryField changes each field in turn; each change
// must change the hash.
func TestChainHashCoversEveryField(t *testing.T) {
	prev, base := knownEvent()
	want := eventstore.ChainHash(prev, base)
	changes := map[string]func(e *eventstore.Event, p *eventstore.Hash){
		"prev hash":      func(_ *eventstore.Event, p *eventstore.Hash) { p[0] ^= 1 },
		"id":             func(e *eventstore.Event, _ *eventstore.Hash) { e.ID[15] ^= 1 },
		"stream id":      func(e *eventstore.Event, _ *eventstore.Hash) { e.StreamID = "case-2" },
		"stream type":    func(e *eventstore.Event, _ *eventstore.Hash) { e.StreamType = "child" },
		"stream version": func(e *eventstore.Event, _ *eventstore.Hash) { e.StreamVersion++ },
		"position":       func(e *eventstore.Event, _ *eventstore.Hash) { e.GlobalPosition++ },
		"type":           func(e *eventstore.Event, _ *eventstore.Hash) { e.Type = "case.closed" },
		"schema version": func(e *eventstore.Event, _ *eventstore.Hash) { e.SchemaVersion++ },
		"data": func(e *eventstore.Event, _ *eventstore.Hash) {
			e.Data = json.RawMessage(`{"summary":"孩子独自在家 "}`)
		},
		"metadata":    func(e *eventstore.Event, _ *eventstore.Hash) { e.Metadata = json.RawMessage(`{}`) },
		"occurred_at": func(e *eventstore.Event, _ *eventstore.Hash) { e.OccurredAt = e.OccurredAt.Add(time.Microsecond) },
		"recorded_at": func(e *eventstore.Event, _ *eventstore.Hash) { e.RecordedAt = e.RecordedAt.Add(time.Microsecond) },
	}
	for name, change := range changes {
		e, p := base, prev
		change(&e, &p)
		assert.NotEqual(t, want, eventstore.ChainHash(p, e), name)
	}
}

// FuzzChainHashFieldBoundaries: moving bytes between adjacent variable-length
// fields (stream id | stream type, type, metadata | data) must change the
// hash, which the length prefixes guarantee.
func FuzzChainHashFieldBoundaries(f *testing.F) {
	f.Add("case-1", "case", "{}", `{"a":1}`, uint8(1))
	f.Add("", "x", "", "", uint8(0))
	f.Fuzz(func(t *testing.T, streamID, streamType, meta, data string, shift uint8) {
		prev, e := knownEvent()
		e.StreamID, e.StreamType, e.Metadata, e.Data = streamID, streamType, json.RawMessage(meta), json.RawMessage(data)
		h := eventstore.ChainHash(prev, e)

		joined := streamID + streamType
		cut := int(shift) % (len(joined) + 1)
		if cut != len(streamID) {
			moved := e
			moved.StreamID, moved.StreamType = joined[:cut], joined[cut:]
			assert.NotEqual(t, h, eventstore.ChainHash(prev, moved), "stream id/type boundary")
		}
		body := meta + data
		cut = int(shift) % (len(body) + 1)
		if cut != len(meta) {
			moved := e
			moved.Metadata, moved.Data = json.RawMessage(body[:cut]), json.RawMessage(body[cut:])
			assert.NotEqual(t, h, eventstore.ChainHash(prev, moved), "metadata/data boundary")
		}
	})
}

func FuzzParseHash(f *testing.F) {
	f.Add("0bdd77437ed56c701f6e71445a32859b9721c8d0538d7dca5e0e7fa5d0ab0526")
	f.Add("zz")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := eventstore.ParseHash(s)
		if err != nil {
			return
		}
		again, err := eventstore.ParseHash(h.String())
		require.NoError(t, err)
		assert.Equal(t, h, again, "a parsed hash prints back to itself")
		var decoded eventstore.Hash
		text, _ := h.MarshalText()
		require.NoError(t, decoded.UnmarshalText(text))
		assert.Equal(t, h, decoded)
	})
}

func TestExpectedVersion(t *testing.T) {
	assert.True(t, eventstore.AnyVersion.Matches(0))
	assert.True(t, eventstore.AnyVersion.Matches(9))
	assert.True(t, eventstore.NoStream.Matches(0))
	assert.False(t, eventstore.NoStream.Matches(1))
	assert.True(t, eventstore.Exactly(3).Matches(3))
	assert.False(t, eventstore.Exactly(3).Matches(4))
	assert.Equal(t, "any", eventstore.AnyVersion.String())
	assert.Equal(t, "no stream", eventstore.NoStream.String())
	assert.Equal(t, "version 3", eventstore.Exactly(3).String())
}
