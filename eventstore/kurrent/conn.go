package kurrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/careledger/careledger/eventstore"
)

// conn is a store's client of KurrentDB and the namespace of its log.
type conn struct {
	client *esdb.Client
	ns     namespace
}

func dial(url string, ns namespace) (*conn, error) {
	cfg, err := esdb.ParseConnectionString(url)
	if err != nil {
		return nil, fmt.Errorf("kurrent: connection string: %w", err)
	}
	// The client logs to stdout by default, where careledger serve prints
	// its address; its warnings and errors go to the standard logger.
	cfg.Logger = func(level esdb.LogLevel, format string, args ...any) {
		if level == esdb.LogWarn || level == esdb.LogError {
			log.Printf("kurrentdb client: "+format, args...)
		}
	}
	client, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("kurrent: connect: %w", err)
	}
	return &conn{client: client, ns: ns}, nil
}

// allRecord is a careledger event read from $all, with its place there.
type allRecord struct {
	event eventstore.Event
	at    esdb.Position
}

// readAll reads $all forwards from a position (inclusive; nil: from the
// start), up to count records of any kind, and answers the careledger
// events among them, and the position of the last record read (zero when
// none was): the next read starts after it.
func (c *conn) readAll(ctx context.Context, from *esdb.Position, count uint64) ([]allRecord, esdb.Position, int, error) {
	var start esdb.AllPosition = esdb.Start{}
	if from != nil {
		start = *from
	}
	rs, err := c.client.ReadAll(ctx, esdb.ReadAllOptions{From: start, Direction: esdb.Forwards}, count)
	if err != nil {
		return nil, esdb.Position{}, 0, fmt.Errorf("read $all: %w", err)
	}
	defer rs.Close()
	var out []allRecord
	var last esdb.Position
	read := 0
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, last, read, nil
		}
		if err != nil {
			return nil, esdb.Position{}, 0, fmt.Errorf("read $all: %w", err)
		}
		read++
		r := ev.Event
		last = r.Position
		e, ok, err := c.ns.fromRecorded(r)
		if err != nil {
			return nil, esdb.Position{}, 0, err
		}
		if ok {
			out = append(out, allRecord{event: e, at: r.Position})
		}
	}
}

// readEvents reads a careledger stream from a version on (revision
// afterVersion), up to limit events (0: all).
func (c *conn) readEvents(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	records, err := c.readStream(ctx, c.ns.stream(streamID), esdb.Revision(uint64(max(afterVersion, 0))), esdb.Forwards, uint64(max(limit, 0)))
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", streamID, err)
	}
	out := make([]eventstore.Event, 0, len(records))
	for _, r := range records {
		e, ok, err := c.ns.fromRecorded(r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}
