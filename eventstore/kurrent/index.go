package kurrent

import (
	"context"
	"fmt"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

// index is what a store handle knows of the log, learnt by reading $all
// and by writing: where each position lies in $all (where a read of the
// log from a position starts), each event id's position (for
// idempotency: KurrentDB has no index by event id across streams), each
// stream's version and type, and the head.
type index struct {
	mu      sync.Mutex
	next    *esdb.Position      // the last $all record read; nil: none yet
	at      []esdb.Position     // at[p-1]: the $all position of position p (zero: not known)
	ids     map[uuid.UUID]int64 // each event id's position
	streams map[string]writer.StreamState
	head    headEvent
}

// headEvent is the last event of the log as the index knows it.
type headEvent struct {
	writer.Head
	stream  string
	version int64
}

func newIndex() *index {
	return &index{ids: map[uuid.UUID]int64{}, streams: map[string]writer.StreamState{}}
}

// catchUpPage is how many $all records one read of the catch-up takes.
const catchUpPage = 2048

// catchUp reads $all from where the index last stopped to its end. The
// caller holds mu.
func (x *index) catchUp(ctx context.Context, c *conn) error {
	for {
		records, last, read, err := c.readAll(ctx, x.next, catchUpPage)
		if err != nil {
			return err
		}
		for _, r := range records {
			if x.next != nil && r.at == *x.next {
				continue // a read from a position gives that record again
			}
			x.add(r.event, r.at)
		}
		if read > 0 {
			x.next = &last
		}
		if read < catchUpPage {
			return nil
		}
	}
}

// add records an event found in (or written to) $all at a position.
func (x *index) add(e eventstore.Event, at esdb.Position) {
	x.learn(e.GlobalPosition, at)
	x.ids[e.ID] = e.GlobalPosition
	if st := x.streams[e.StreamID]; e.StreamVersion > st.Version {
		x.streams[e.StreamID] = writer.StreamState{Version: e.StreamVersion, Type: e.StreamType}
	}
	x.head = headEvent{Head: writer.Head{Position: e.GlobalPosition, Hash: e.Hash, RecordedAt: e.RecordedAt}, stream: e.StreamID, version: e.StreamVersion}
}

// learn records where a position lies in $all (zero: not known yet; a
// known place is kept). A position far beyond what is known (only a forged
// one can be) is not recorded.
func (x *index) learn(position int64, at esdb.Position) {
	if position <= 0 || position > int64(len(x.at))+1<<16 {
		return
	}
	if at == (esdb.Position{}) && position <= int64(len(x.at)) {
		return
	}
	for int64(len(x.at)) < position {
		x.at = append(x.at, esdb.Position{})
	}
	x.at[position-1] = at
}

// startFor is where a read of the log after position starts in $all: at
// that position's record, or at the nearest before it that is known; nil
// for the start of $all.
func (x *index) startFor(position int64) *esdb.Position {
	x.mu.Lock()
	defer x.mu.Unlock()
	for p := min(position, int64(len(x.at))); p > 0; p-- {
		if at := x.at[p-1]; at != (esdb.Position{}) {
			return &at
		}
	}
	return nil
}

// forWrite brings the index up to the end of the log before a write: it
// reads what $all holds beyond what the index saw, and checks that the
// head it knows is still there; if not (the end of the log was removed
// behind the store's back), it reads the log again from the start. The
// caller holds mu.
func (x *index) forWrite(ctx context.Context, c *conn) error {
	if err := x.catchUp(ctx, c); err != nil {
		return err
	}
	if x.head.Position == 0 {
		return nil
	}
	events, err := c.readEvents(ctx, x.head.stream, x.head.version-1, 1)
	if err != nil {
		return err
	}
	if len(events) == 1 && events[0].GlobalPosition == x.head.Position && events[0].Hash == x.head.Hash {
		return nil
	}
	x.next, x.at, x.head = nil, nil, headEvent{}
	x.ids, x.streams = map[uuid.UUID]int64{}, map[string]writer.StreamState{}
	if err := x.catchUp(ctx, c); err != nil {
		return fmt.Errorf("read the log again: %w", err)
	}
	return nil
}
