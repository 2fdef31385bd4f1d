package kurrent

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

// Store is the event log kept in KurrentDB.
type Store struct {
	c      *conn
	idx    *index
	writer *writer.Writer
	opts   eventstore.Options
	wait   time.Duration
}

var _ eventstore.Store = (*Store)(nil)

// Config says where the log lives in KurrentDB.
type Config struct {
	// URL is the connection string, esdb://host:port?tls=false or with TLS.
	URL string
	// Namespace, when set, prefixes the log's stream names ("ns:case-…"),
	// so that several logs can share one server; empty for one log per
	// server, with streams named as careledger names them.
	Namespace string
	// ClaimWait bounds how long an append waits for another writer's batch
	// to be sealed (default 10 s).
	ClaimWait time.Duration
	// Writer names this store's writer in its claims. A store opened with
	// the Writer of a process that died between a claim and its seal seals
	// that claim, at what of it landed, on its first append. Give a lasting
	// one only to a process that holds it alone (careledger serve, holding
	// its data directory's lock): two live stores sharing one would seal
	// each other's batches under way. Zero: a fresh one.
	Writer uuid.UUID
}

// Open connects to KurrentDB and opens the log there. It reads nothing yet:
// the first append reads the log.
func Open(ctx context.Context, cfg Config, opts eventstore.Options) (*Store, error) {
	if strings.ContainsAny(cfg.Namespace, ":$") {
		return nil, fmt.Errorf("kurrent: namespace %q may not hold ':' or '$'", cfg.Namespace)
	}
	c, err := dial(cfg.URL, namespace(cfg.Namespace))
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if cfg.ClaimWait <= 0 {
		cfg.ClaimWait = 10 * time.Second
	}
	s := &Store{c: c, idx: newIndex(), opts: opts, wait: cfg.ClaimWait}
	// The server is asked once now, so that a wrong address fails Open.
	if _, err := c.readChain(ctx); err != nil {
		c.client.Close()
		return nil, fmt.Errorf("kurrent: %w", err)
	}
	if cfg.Writer == uuid.Nil {
		cfg.Writer = uuid.New()
	}
	s.writer = writer.New(&backend{c: c, idx: s.idx, writer: cfg.Writer, sealKey: opts.SealKey, now: opts.Now, claimWait: cfg.ClaimWait}, opts)
	return s, nil
}

// Append writes events to one stream (eventstore.Store). A stream id may
// not begin with '$' (KurrentDB's system streams), hold ':' (it separates
// a namespace) nor be the chain's.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	if strings.HasPrefix(stream.ID, "$") || stream.ID == chainStream || strings.Contains(stream.ID, ":") {
		return nil, fmt.Errorf("append to %q: a stream id may not begin with '$' (KurrentDB's), hold ':' (a namespace's) or be the chain's: %w",
			stream.ID, eventstore.ErrInvalidEvent)
	}
	return s.writer.Append(ctx, stream, expected, events)
}

// sealed is the position of the sealed head: readers see the log up to it.
func (s *Store) sealed(ctx context.Context) (int64, error) {
	chain, err := s.c.readChain(ctx)
	if err != nil {
		return 0, err
	}
	if !chain.sealed {
		return 0, nil
	}
	return chain.seal.Position, nil
}

// ReadStream reads one stream's sealed events (eventstore.Store).
func (s *Store) ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	bound, err := s.sealed(ctx)
	if err != nil {
		return nil, err
	}
	events, err := s.c.readEvents(ctx, streamID, afterVersion, limit)
	if err != nil {
		return nil, err
	}
	return upTo(events, bound), nil
}

func upTo(events []eventstore.Event, bound int64) []eventstore.Event {
	out := events[:0]
	for _, e := range events {
		if e.GlobalPosition <= bound {
			out = append(out, e)
		}
	}
	return out
}

// readStreamsAtOnce bounds the stream reads ReadStreams runs at once.
const readStreamsAtOnce = 8

// ReadStreams reads several streams (eventstore.Store): one KurrentDB read
// per stream, several at once, since KurrentDB reads one stream per call.
func (s *Store) ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error) {
	bound, err := s.sealed(ctx)
	if err != nil {
		return nil, err
	}
	if upToPosition > 0 {
		bound = min(bound, upToPosition)
	}
	out := map[string][]eventstore.Event{}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
	)
	slots := make(chan struct{}, readStreamsAtOnce)
	seen := map[string]bool{}
	for _, id := range streamIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			events, err := s.c.readEvents(ctx, id, 0, 0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				first = err
				return
			}
			if events = upTo(events, bound); len(events) > 0 {
				out[id] = events
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, nil
}

// ReadLog reads the sealed log in position order (eventstore.Store).
func (s *Store) ReadLog(ctx context.Context, afterPosition int64, limit int) ([]eventstore.Event, error) {
	bound, err := s.sealed(ctx)
	if err != nil {
		return nil, err
	}
	if afterPosition >= bound {
		return nil, nil
	}
	if limit <= 0 || int64(limit) > bound-afterPosition {
		limit = int(bound - afterPosition)
	}
	return s.readLog(ctx, afterPosition, limit, bound)
}

func (s *Store) readLog(ctx context.Context, afterPosition int64, limit int, bound int64) ([]eventstore.Event, error) {
	return readLog(ctx, s.c, s.idx, afterPosition, limit, bound)
}

// readLog reads up to limit events of the log with positions after
// afterPosition and at most bound (no bound when bound < 0), in $all
// order, which is position order as the writer writes. It starts where
// the index knows the position lies, and teaches the index where the
// events it reads lie.
func readLog(ctx context.Context, c *conn, idx *index, afterPosition int64, limit int, bound int64) ([]eventstore.Event, error) {
	from := idx.startFor(afterPosition)
	page := uint64(catchUpPage)
	if limit > 0 {
		page = uint64(min(max(2*limit+8, 64), catchUpPage))
	}
	var out []eventstore.Event
	for {
		records, last, read, err := c.readAll(ctx, from, page)
		if err != nil {
			return nil, err
		}
		idx.mu.Lock()
		for _, r := range records {
			idx.learn(r.event.GlobalPosition, r.at)
		}
		idx.mu.Unlock()
		for _, r := range records {
			if from != nil && r.at == *from {
				continue
			}
			e := r.event
			if e.GlobalPosition <= afterPosition || (bound >= 0 && e.GlobalPosition > bound) {
				continue
			}
			out = append(out, e)
			if limit > 0 && len(out) == limit {
				return out, nil
			}
		}
		if read < int(page) {
			return out, nil
		}
		from = &last
	}
}

// Head is the sealed head (eventstore.Store).
func (s *Store) Head(ctx context.Context) (eventstore.Anchor, error) {
	bound, err := s.sealed(ctx)
	if err != nil || bound == 0 {
		return eventstore.Anchor{}, err
	}
	events, err := s.readLog(ctx, bound-1, 1, bound)
	if err != nil {
		return eventstore.Anchor{}, err
	}
	if len(events) == 0 {
		return eventstore.Anchor{}, fmt.Errorf("kurrent: the sealed head, position %d, is not in the log: run careledger verify", bound)
	}
	return eventstore.Anchor{Position: events[0].GlobalPosition, Hash: events[0].Hash}, nil
}

// Verify walks the whole log as stored, sealed or not (eventstore.Store).
func (s *Store) Verify(ctx context.Context, anchors ...eventstore.Anchor) (eventstore.Verification, error) {
	return eventstore.VerifyChain(ctx, s.rawLog, s.sealReader(), s.opts.SealKey, anchors...)
}

// VerifyFrom walks the log from a head verified before (eventstore.Store).
func (s *Store) VerifyFrom(ctx context.Context, from eventstore.Anchor) (eventstore.Verification, eventstore.Anchor, error) {
	return eventstore.VerifyChainFrom(ctx, s.rawLog, s.sealReader(), s.opts.SealKey, from)
}

func (s *Store) rawLog(ctx context.Context, afterPosition int64, limit int) ([]eventstore.Event, error) {
	return s.readLog(ctx, afterPosition, limit, -1)
}

// sealReader reads the seal for a walk. The walk reads it first, and
// again only when it found events beyond it: those may be a batch under
// way (claimed, landed, not yet sealed), so the second read waits for the
// batch to be sealed, as a SQL store's walk would wait for its commit.
func (s *Store) sealReader() eventstore.SealReader {
	calls := 0
	return func(ctx context.Context) (eventstore.Seal, bool, error) {
		calls++
		deadline := time.Now().Add(s.wait)
		for {
			chain, err := s.c.readChain(ctx)
			if err != nil {
				return eventstore.Seal{}, false, err
			}
			if calls == 1 || chain.open == nil || time.Now().After(deadline) {
				return chain.seal, chain.sealed, nil
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// Stats reports what the writer did (eventstore.Store).
func (s *Store) Stats() eventstore.Stats { return s.writer.Stats() }

// Close stops the writer and closes the connection (eventstore.Store).
func (s *Store) Close() error {
	s.writer.Close()
	return s.c.client.Close()
}
