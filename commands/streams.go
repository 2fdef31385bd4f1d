package commands

import (
	"container/list"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// stream is a stream as loaded: its events as stored, without their data
// (what replay reads: ids, types, metadata, positions), and decoded, up to
// version. A stream is never changed once loaded: a newer one is a new
// value (the cache hands the same one to concurrent commands).
type stream struct {
	version int64
	stored  []eventstore.Event
	history []domain.Recorded
	// erasures is the store's count of erasures (eraser) when the
	// personal data the history holds was read.
	erasures int64
}

// eraser is a store that erases personal data by destroying keys
// (eventstore/privacy.Store): it counts the erasures it has learnt of.
type eraser interface {
	Erasures(ctx context.Context) (int64, error)
}

// erasures is the store's count of erasures; 0 for a store that keeps
// personal data in clear (it erases nothing a read would not give back).
func (h *Handlers) erasures(ctx context.Context) (int64, error) {
	e, ok := h.store.(eraser)
	if !ok {
		return 0, nil
	}
	n, err := e.Erasures(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the count of erasures: %w", err)
	}
	return n, nil
}

// load reads a stream: from the cache, reading only the events appended
// after the cached version, or else whole. What the cache held is used only
// when no erasure was learnt of since it was read (see the package doc).
func (h *Handlers) load(ctx context.Context, id domain.StreamID) (stream, error) {
	s, err := h.loadCached(ctx, id)
	if err != nil {
		return stream{}, fmt.Errorf("load %s: %w", id, err)
	}
	return s, nil
}

// loadToAppend gives the stream a command decides on: unless read, as the
// cache holds it, or, not there and isNew, as a new stream — unread is then
// true, and the append's expected version checks it (executeOn); else as
// load gives it.
func (h *Handlers) loadToAppend(ctx context.Context, id domain.StreamID, read, isNew bool) (s stream, unread bool, err error) {
	if !read {
		now, err := h.erasures(ctx)
		if err != nil {
			return stream{}, false, fmt.Errorf("load %s: %w", id, err)
		}
		if cached, hit := h.streams.get(id.String(), now); hit {
			return cached, true, nil
		}
		if isNew {
			return stream{erasures: now}, true, nil
		}
	}
	s, err = h.load(ctx, id)
	return s, false, err
}

func (h *Handlers) loadCached(ctx context.Context, id domain.StreamID) (stream, error) {
	key := id.String()
	before, err := h.erasures(ctx)
	if err != nil {
		return stream{}, err
	}
	cached, hit := h.streams.get(key, before)
	s, err := h.readAfter(ctx, id, cached)
	if err != nil {
		return stream{}, err
	}
	if !hit {
		s.erasures = before
		h.put(ctx, key, s)
		return s, nil
	}
	after, err := h.erasures(ctx)
	if err != nil {
		return stream{}, err
	}
	if after != cached.erasures {
		// An erasure learnt of while the new events were read: what the
		// cache held may read as erased now. Read it all again.
		h.streams.observe(after)
		if s, err = h.readAfter(ctx, id, stream{}); err != nil {
			return stream{}, err
		}
		s.erasures = after
	}
	h.put(ctx, key, s)
	return s, nil
}

// readAfter reads the events appended to a stream after base and gives
// base with them; a stream that did not go on from base (never so in a log
// that only grows) is read whole.
func (h *Handlers) readAfter(ctx context.Context, id domain.StreamID, base stream) (stream, error) {
	stored, err := h.store.ReadStream(ctx, id.String(), base.version, 0)
	if err != nil {
		return stream{}, err
	}
	if len(stored) == 0 {
		return base, nil
	}
	for i, e := range stored {
		if e.StreamVersion != base.version+int64(i)+1 {
			if base.version == 0 {
				return stream{}, fmt.Errorf("event %d has version %d", i+1, e.StreamVersion)
			}
			return h.readAfter(ctx, id, stream{})
		}
	}
	history, err := h.codec.Decode(stored)
	if err != nil {
		return stream{}, err
	}
	return base.extended(stored, history), nil
}

// extended is s with the events stored after it.
func (s stream) extended(stored []eventstore.Event, history []domain.Recorded) stream {
	out := stream{version: s.version + int64(len(stored)), erasures: s.erasures}
	out.stored = make([]eventstore.Event, len(s.stored), len(s.stored)+len(stored))
	copy(out.stored, s.stored)
	for _, e := range stored {
		e.Data = nil // the history holds it, decoded
		out.stored = append(out.stored, e)
	}
	out.history = slices.Concat(s.history, history)
	return out
}

// remember puts a stream in the cache with the events a command appended
// to it, as the store answered them; when they do not follow the version
// the command decided on, the stream is dropped.
func (h *Handlers) remember(ctx context.Context, id domain.StreamID, s stream, appended []eventstore.Event) {
	key := id.String()
	for i, e := range appended {
		if e.StreamVersion != s.version+int64(i)+1 {
			h.streams.drop(key)
			return
		}
	}
	history, err := h.codec.Decode(appended)
	if err != nil {
		h.streams.drop(key)
		return
	}
	h.put(ctx, key, s.extended(appended, history))
}

// put keeps s in the cache when no erasure was learnt of since its
// personal data was read; learning of one empties the cache.
func (h *Handlers) put(ctx context.Context, key string, s stream) {
	now, err := h.erasures(ctx)
	if err != nil {
		h.streams.drop(key)
		return
	}
	h.streams.observe(now)
	if s.erasures == now {
		h.streams.put(key, s)
	}
}

// streamCache keeps the streams commands loaded most recently, up to a
// number of streams and of events in them, under the count of erasures
// they were read under.
type streamCache struct {
	mu        sync.Mutex
	capacity  int // streams
	maxEvents int
	events    int                      // in the streams kept
	byID      map[string]*list.Element // of *cachedStream
	recent    list.List                // most recently used first
	erasures  int64                    // the count every entry was read under
}

type cachedStream struct {
	id string
	s  stream
}

func newStreamCache(streams, events int) *streamCache {
	if events <= 0 {
		streams = 0
	}
	return &streamCache{capacity: streams, maxEvents: events, byID: map[string]*list.Element{}}
}

// get is the cached stream; ok is false when there is none. A count of
// erasures grown since the entries were read empties the cache first.
func (c *streamCache) get(id string, erasures int64) (stream, bool) {
	if c.capacity <= 0 {
		return stream{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observeLocked(erasures)
	el, ok := c.byID[id]
	if !ok {
		return stream{}, false
	}
	c.recent.MoveToFront(el)
	return el.Value.(*cachedStream).s, true
}

// put keeps s, unless the cache holds the stream at a later version, and
// forgets the streams used least recently beyond the bounds. A stream with
// more events than the cache may hold is not kept.
func (c *streamCache) put(id string, s stream) {
	if c.capacity <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.erasures != c.erasures {
		return
	}
	if el, ok := c.byID[id]; ok {
		e := el.Value.(*cachedStream)
		if e.s.version > s.version {
			c.recent.MoveToFront(el)
			return
		}
		c.removeLocked(el)
	}
	if len(s.history) > c.maxEvents {
		return
	}
	c.byID[id] = c.recent.PushFront(&cachedStream{id: id, s: s})
	c.events += len(s.history)
	for c.recent.Len() > c.capacity || c.events > c.maxEvents {
		c.removeLocked(c.recent.Back())
	}
}

// drop forgets a stream.
func (c *streamCache) drop(id string) {
	if c.capacity <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok {
		c.removeLocked(el)
	}
}

func (c *streamCache) removeLocked(el *list.Element) {
	e := c.recent.Remove(el).(*cachedStream)
	delete(c.byID, e.id)
	c.events -= len(e.s.history)
}

// observe empties the cache when the count of erasures has grown.
func (c *streamCache) observe(erasures int64) {
	if c.capacity <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observeLocked(erasures)
}

func (c *streamCache) observeLocked(erasures int64) {
	if erasures <= c.erasures {
		return // the count only grows; a caller that read it earlier has an older one
	}
	c.erasures = erasures
	clear(c.byID)
	c.recent.Init()
	c.events = 0
}
