package writer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
)

type request struct {
	ctx      context.Context
	stream   eventstore.StreamRef
	expected eventstore.ExpectedVersion
	events   []pending
	// companions are written with the events, if they are stored by this
	// request (eventstore.Companion).
	companions []eventstore.Companion
	done       chan result
}

// pending is a validated event with its stored form of data and metadata.
type pending struct {
	id            uuid.UUID
	typ           string
	schemaVersion int
	data          []byte
	metadata      []byte
	occurredAt    time.Time
}

type result struct {
	events []eventstore.Event
	err    error
}

// MaxEventsPerAppend bounds one append.
const MaxEventsPerAppend = 1000

// MaxStreamIDBytes bounds stream ids and type names.
const MaxStreamIDBytes = 200

func newRequest(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, companions []eventstore.Companion, events []eventstore.NewEvent) (*request, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("append to %q: %s: %w", stream.ID, fmt.Sprintf(format, args...), eventstore.ErrInvalidEvent)
	}
	switch {
	case stream.ID == "" || len(stream.ID) > MaxStreamIDBytes:
		return nil, invalid("stream id must have 1 to %d bytes", MaxStreamIDBytes)
	case stream.Type == "" || len(stream.Type) > MaxStreamIDBytes:
		return nil, invalid("stream type must have 1 to %d bytes", MaxStreamIDBytes)
	case expected < eventstore.AnyVersion:
		return nil, invalid("%s", expected)
	case len(events) == 0:
		return nil, invalid("no events")
	case len(events) > MaxEventsPerAppend:
		return nil, invalid("%d events in one append, at most %d", len(events), MaxEventsPerAppend)
	}
	for _, c := range companions {
		if err := c.Check(); err != nil {
			return nil, fmt.Errorf("append to %q: %w", stream.ID, err)
		}
	}
	req := &request{ctx: ctx, stream: stream, expected: expected, events: make([]pending, len(events)), companions: companions, done: make(chan result, 1)}
	seen := map[uuid.UUID]bool{}
	for i, e := range events {
		p, err := newPending(e)
		if err != nil {
			return nil, invalid("event %d: %v", i, err)
		}
		if seen[p.id] {
			return nil, invalid("event id %s appears twice", p.id)
		}
		seen[p.id] = true
		req.events[i] = p
	}
	return req, nil
}

func newPending(e eventstore.NewEvent) (pending, error) {
	switch {
	case e.Type == "" || len(e.Type) > MaxStreamIDBytes:
		return pending{}, fmt.Errorf("type must have 1 to %d bytes", MaxStreamIDBytes)
	case e.SchemaVersion < 1:
		return pending{}, errors.New("schema version must be at least 1")
	case e.OccurredAt.IsZero():
		return pending{}, errors.New("occurred_at is missing")
	case len(e.Data) > eventstore.MaxDataBytes:
		return pending{}, fmt.Errorf("data has %d bytes, at most %d", len(e.Data), eventstore.MaxDataBytes)
	case !utf8.Valid(e.Data):
		return pending{}, errors.New("data is not valid UTF-8")
	case !json.Valid(e.Data):
		return pending{}, errors.New("data is not valid JSON")
	}
	id := e.ID
	if id == uuid.Nil {
		var err error
		if id, err = uuid.NewV7(); err != nil {
			return pending{}, fmt.Errorf("new event id: %w", err)
		}
	}
	var data bytes.Buffer
	if err := json.Compact(&data, e.Data); err != nil {
		return pending{}, fmt.Errorf("compact data: %w", err)
	}
	metadata, err := json.Marshal(e.Metadata)
	if err != nil {
		return pending{}, fmt.Errorf("encode metadata: %w", err)
	}
	return pending{
		id:            id,
		typ:           e.Type,
		schemaVersion: e.SchemaVersion,
		data:          data.Bytes(),
		metadata:      metadata,
		occurredAt:    eventstore.Timestamp(e.OccurredAt),
	}, nil
}
