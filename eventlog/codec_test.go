package eventlog_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// stored is what a store hands back for appended events: positions,
// versions and times set.
func stored(stream domain.StreamID, events []eventstore.NewEvent) []eventstore.Event {
	out := make([]eventstore.Event, len(events))
	for i, e := range events {
		meta, _ := json.Marshal(e.Metadata)
		out[i] = eventstore.Event{ID: e.ID, StreamID: stream.String(), StreamType: string(stream.Kind()),
			StreamVersion: int64(i + 1), GlobalPosition: int64(10 + i), Type: e.Type, SchemaVersion: e.SchemaVersion,
			Data: e.Data, Metadata: meta, OccurredAt: e.OccurredAt, RecordedAt: e.OccurredAt.Add(time.Minute)}
	}
	return out
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	c := eventlog.New()
	county, err := domain.ParseJurisdiction("370902")
	require.NoError(t, err)
	actor := domain.Actor{Subject: "cw-1", Role: domain.RoleCaseworker, Jurisdiction: county}
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	changes := []domain.Change{
		{Event: domain.CaseAssigned{WorkerID: "cw-1"}, Actor: actor, OccurredAt: at},
		{Event: domain.FollowUpRecorded{Note: "回访", Method: "phone"}, Actor: actor, OccurredAt: at.Add(time.Hour)},
	}
	ids := []uuid.UUID{uuid.New(), uuid.New()}
	events, err := c.Encode(changes, eventlog.Envelope{EventID: func(i int) uuid.UUID { return ids[i] },
		CommandID: "cmd-1", CorrelationID: "req-1", RequestHash: "h"})
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, "case.assigned", events[0].Type)
	assert.Equal(t, 1, events[0].SchemaVersion)
	assert.Equal(t, ids[1], events[1].ID)
	assert.Equal(t, eventstore.Metadata{Actor: eventstore.Actor{Subject: "cw-1", Role: "caseworker", Jurisdiction: "370902"},
		CommandID: "cmd-1", CorrelationID: "req-1", RequestHash: "h"}, events[0].Metadata)

	stream := domain.CaseStream("k-1")
	history, err := c.Decode(stored(stream, events))
	require.NoError(t, err)
	require.Len(t, history, 2)
	assert.Equal(t, stream, history[0].StreamID)
	assert.Equal(t, int64(2), history[1].Version)
	assert.Equal(t, int64(11), history[1].Position)
	assert.Equal(t, actor, history[0].Actor)
	assert.Equal(t, changes[1].Event, history[1].Event)
	assert.Equal(t, at.Add(time.Hour), history[1].OccurredAt)
	assert.Equal(t, at.Add(time.Hour+time.Minute), history[1].RecordedAt)

	none, err := c.Encode(changes[:1], eventlog.Envelope{})
	require.NoError(t, err)
	assert.Equal(t, uuid.Nil, none[0].ID, "without ids the store gives them")
	assert.Equal(t, eventstore.StreamRef{ID: "case-k-1", Type: "case"}, eventlog.StreamRef(stream))
	assert.Equal(t, []string{"child-c", "policy"}, eventlog.StreamIDs(domain.ChildStream("c"), domain.PolicyStream))
}

func TestDecodeRefusesWhatTheDomainCannotRead(t *testing.T) {
	t.Parallel()
	c := eventlog.New()
	good, err := c.Encode([]domain.Change{{Event: domain.CaseAssigned{WorkerID: "cw-1"}, OccurredAt: time.Now()}}, eventlog.Envelope{})
	require.NoError(t, err)
	for name, mutate := range map[string]func(e *eventstore.Event){
		"unknown type":            func(e *eventstore.Event) { e.Type = "case.from_the_future" },
		"newer schema version":    func(e *eventstore.Event) { e.SchemaVersion = 9 },
		"data not of its shape":   func(e *eventstore.Event) { e.Data = json.RawMessage(`{"worker_id": 7}`) },
		"stream the domain lacks": func(e *eventstore.Event) { e.StreamID = "ledger-1" },
		"metadata not JSON":       func(e *eventstore.Event) { e.Metadata = json.RawMessage(`{`) },
		"actor of no role":        func(e *eventstore.Event) { e.Metadata = json.RawMessage(`{"actor":{"subject":"x","role":"king"}}`) },
	} {
		e := stored(domain.CaseStream("k-1"), good)[0]
		mutate(&e)
		_, err := c.DecodeOne(e)
		assert.ErrorIs(t, err, eventlog.ErrUndecodable, name)
		_, err = c.Decode([]eventstore.Event{stored(domain.CaseStream("k-1"), good)[0], e})
		assert.ErrorIs(t, err, eventlog.ErrUndecodable, "%s, in a page", name)
	}
}
