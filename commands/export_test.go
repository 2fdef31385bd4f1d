package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
)

// Cached is the history the handlers keep of a stream, if they keep one.
func (h *Handlers) Cached(id domain.StreamID) ([]domain.Recorded, bool) {
	h.streams.mu.Lock()
	defer h.streams.mu.Unlock()
	el, ok := h.streams.byID[id.String()]
	if !ok {
		return nil, false
	}
	return el.Value.(*cachedStream).s.history, true
}

// CachedStreams is how many streams, and events in them, the handlers keep.
func (h *Handlers) CachedStreams() (streams, events int) {
	h.streams.mu.Lock()
	defer h.streams.mu.Unlock()
	return h.streams.recent.Len(), h.streams.events
}

// History loads a stream as a command does.
func (h *Handlers) History(ctx context.Context, id domain.StreamID) ([]domain.Recorded, error) {
	return h.history(ctx, id)
}
