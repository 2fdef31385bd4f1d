package record

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/domain"
)

// Event is a stored event as GET /v1/cases/{id}/events shows it (API.md
// "Event"): the envelope, its place in the hash chain, and its data as the
// store gives it (personal fields opened, or null once erased).
type Event struct {
	EventID        uuid.UUID `json:"event_id"`
	Type           string    `json:"type"`
	SchemaVersion  int       `json:"schema_version"`
	StreamID       string    `json:"stream_id"`
	StreamVersion  int64     `json:"stream_version"`
	GlobalPosition int64     `json:"global_position"`
	OccurredAt     time.Time `json:"occurred_at"`
	RecordedAt     time.Time `json:"recorded_at"`
	Actor          Actor     `json:"actor"`
	CorrelationID  string    `json:"correlation_id,omitempty"`
	// PrevHash and Hash are hex, as the store spells its hashes.
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
	Data     json.RawMessage `json:"data"`
}

// Actor is who caused an event, as its metadata records it.
type Actor struct {
	Subject       string `json:"subject"`
	Role          string `json:"role"`
	Jurisdiction  string `json:"jurisdiction"`
	Qualification string `json:"qualification,omitempty"`
}

// CaseEvents are a case's events as stored, in stream order: up to limit
// of them (0 or less: all) with a stream version after afterVersion. A
// case with no events has none; whether it exists, and whether the reader
// may see it, is Case's to say.
func (r *Reader) CaseEvents(ctx context.Context, caseID string, afterVersion int64, limit int) ([]Event, error) {
	id := domain.CaseStream(caseID)
	stored, err := r.log.ReadStream(ctx, id.String(), afterVersion, limit)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", id, err)
	}
	out := make([]Event, 0, len(stored))
	for _, e := range stored {
		meta, err := e.Meta()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", id, err)
		}
		out = append(out, Event{
			EventID: e.ID, Type: e.Type, SchemaVersion: e.SchemaVersion, StreamID: e.StreamID,
			StreamVersion: e.StreamVersion, GlobalPosition: e.GlobalPosition, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt,
			Actor:         Actor(meta.Actor),
			CorrelationID: meta.CorrelationID, PrevHash: e.PrevHash.String(), Hash: e.Hash.String(), Data: e.Data,
		})
	}
	return out, nil
}
