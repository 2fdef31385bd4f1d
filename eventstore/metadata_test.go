package eventstore

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickMetaReadsWhatTheStoreWrites: metadata as json.Marshal writes it
// (the store's own) takes the quick path, and reads as json.Unmarshal
// reads it.
func TestQuickMetaReadsWhatTheStoreWrites(t *testing.T) {
	for _, m := range []Metadata{
		{},
		{Actor: Actor{Subject: "0b6f3c1e-2f5e-4f1e-9c1a-3d2b1a0f9e8d", Role: "caseworker", Jurisdiction: "370902"}},
		{Actor: Actor{Subject: "w-1", Role: "child_director", Jurisdiction: "370902001001", Qualification: "trained"},
			CommandID: "c-1", CorrelationID: "k-1", CausationID: "e-1", RequestHash: "9f86d081884c7d65"},
		{Actor: Actor{Subject: "张三", Role: "inspector", Jurisdiction: "37"}, CommandID: "倒查"},
	} {
		raw, err := json.Marshal(m)
		require.NoError(t, err)
		got, ok := quickMeta(raw)
		require.True(t, ok, "%s takes the quick path", raw)
		assert.Equal(t, m, got, "%s", raw)
	}
}

// TestQuickMetaLeavesTheRest: what the quick path does not read exactly
// as json.Unmarshal would, it leaves to it.
func TestQuickMetaLeavesTheRest(t *testing.T) {
	for _, raw := range []string{
		``, `null`, `[]`, `{`, `{"actor":{}`, `{"actor":{}}x`, `{"actor":null}`, `{"command_id":1}`,
		`{"Command_ID":"c"}`, `{"other":"x"}`, `{"command_id":"a\"b"}`, `{"command_id":"a\u003cb"}`,
		"{\"command_id\":\"a\x01b\"}", "{\"command_id\":\"\xff\"}", `{"command_id":"c",}`, `{,}`,
	} {
		_, ok := quickMeta([]byte(raw))
		assert.False(t, ok, "%q", raw)
	}
}

// FuzzQuickMeta: whatever the quick path reads, json.Unmarshal reads
// alike.
func FuzzQuickMeta(f *testing.F) {
	for _, seed := range []string{
		`{"actor":{"subject":"w-1","role":"caseworker","jurisdiction":"370902"},"command_id":"c-1"}`,
		` { "actor" : { "subject" : "张三" } , "request_hash" : "x" , "actor" : { "role" : "r" } } `,
		`{"actor":{"qualification":"trained"},"correlation_id":"k","causation_id":"e"}`,
		`{}`, `{"command_id":"a\\b"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := quickMeta(raw)
		if !ok {
			return
		}
		var want Metadata
		require.NoError(t, json.Unmarshal(raw, &want), "%q", raw)
		require.Equal(t, want, got, "%q", raw)
	})
}

// BenchmarkMeta: an event's metadata as the store writes it, read by
// the quick path and by json.Unmarshal.
func BenchmarkMeta(b *testing.B) {
	raw, err := json.Marshal(Metadata{Actor: Actor{Subject: "0b6f3c1e-2f5e-4f1e-9c1a-3d2b1a0f9e8d", Role: "caseworker",
		Jurisdiction: "370902001001"}, CommandID: "5d1c0a52-6a43-4d0e-8f7e-2f6d1b7c9a10", CorrelationID: "5d1c0a52-6a43-4d0e-8f7e-2f6d1b7c9a10"})
	require.NoError(b, err)
	b.Run("quick", func(b *testing.B) {
		for b.Loop() {
			if _, ok := quickMeta(raw); !ok {
				b.Fatal("not quick")
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			var m Metadata
			if err := json.Unmarshal(raw, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
