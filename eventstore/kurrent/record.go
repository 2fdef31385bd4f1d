package kurrent

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/careledger/careledger/eventstore"
)

// envelope is the custom metadata of every careledger event in KurrentDB:
// what the chain hashes that KurrentDB does not keep itself. The event's
// id, type, stream and data are KurrentDB's own; its stream version is its
// revision + 1.
type envelope struct {
	// Position is the event's dense position in careledger's log.
	Position      int64           `json:"careledger_position"`
	StreamType    string          `json:"stream_type"`
	SchemaVersion int             `json:"schema_version"`
	OccurredAt    int64           `json:"occurred_at_us"`
	RecordedAt    int64           `json:"recorded_at_us"`
	Metadata      string          `json:"metadata"` // the metadata's JSON, byte for byte
	PrevHash      eventstore.Hash `json:"prev_hash"`
	Hash          eventstore.Hash `json:"hash"`
}

// toEventData is a careledger event as KurrentDB stores it.
func toEventData(e eventstore.Event) (esdb.EventData, error) {
	meta, err := json.Marshal(envelope{
		Position: e.GlobalPosition, StreamType: e.StreamType, SchemaVersion: e.SchemaVersion,
		OccurredAt: e.OccurredAt.UnixMicro(), RecordedAt: e.RecordedAt.UnixMicro(),
		Metadata: string(e.Metadata), PrevHash: e.PrevHash, Hash: e.Hash,
	})
	if err != nil {
		return esdb.EventData{}, fmt.Errorf("encode envelope of event %s: %w", e.ID, err)
	}
	return esdb.EventData{EventID: e.ID, EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: meta}, nil
}

// fromRecorded is the careledger event a KurrentDB record holds; ok is
// false for a record that is not one (a system record, the chain, another
// application's or another namespace's stream).
func (n namespace) fromRecorded(r *esdb.RecordedEvent) (eventstore.Event, bool, error) {
	id, ok := n.streamID(r.StreamID)
	if !ok || !strings.Contains(string(r.UserMetadata), `"careledger_position"`) {
		return eventstore.Event{}, false, nil
	}
	var env envelope
	if err := json.Unmarshal(r.UserMetadata, &env); err != nil {
		return eventstore.Event{}, false, fmt.Errorf("decode envelope of event %s in %s: %w", r.EventID, r.StreamID, err)
	}
	return eventstore.Event{
		ID:             r.EventID,
		StreamID:       id,
		StreamType:     env.StreamType,
		StreamVersion:  int64(r.EventNumber) + 1,
		GlobalPosition: env.Position,
		Type:           r.EventType,
		SchemaVersion:  env.SchemaVersion,
		Data:           r.Data,
		Metadata:       json.RawMessage(env.Metadata),
		OccurredAt:     microTime(env.OccurredAt),
		RecordedAt:     microTime(env.RecordedAt),
		PrevHash:       env.PrevHash,
		Hash:           env.Hash,
	}, true, nil
}

// namespace prefixes the KurrentDB stream names of one careledger log, so
// that several logs (a test's each, on a real server) can share a server.
// The empty namespace names streams as careledger does.
type namespace string

// chainStream is the KurrentDB stream of the log's claims and seals.
const chainStream = "careledger-chain"

func (n namespace) stream(id string) string {
	if n == "" {
		return id
	}
	return string(n) + ":" + id
}

func (n namespace) chain() string { return n.stream(chainStream) }

// streamID is the careledger stream id of a KurrentDB stream; ok is false
// for a stream of no careledger log, or of another log, and for the chain.
// careledger's stream ids hold no ':' (Append refuses them here), so a name
// with one belongs to a namespace.
func (n namespace) streamID(name string) (string, bool) {
	if strings.HasPrefix(name, "$") {
		return "", false
	}
	id := name
	if n == "" && strings.Contains(name, ":") {
		return "", false // a namespaced log's
	}
	if n != "" {
		var found bool
		if id, found = strings.CutPrefix(name, string(n)+":"); !found {
			return "", false
		}
	}
	return id, id != chainStream
}
