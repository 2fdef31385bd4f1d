package engine

import (
	"sync"

	"github.com/careledger/careledger/domain"
)

// recentWindow is how many of the latest events the in-process feeder keeps
// decoded for the projections.
const recentWindow = 8192

// recent holds the latest events of the log, decoded once by the feeder of
// this process and shared by every projection following here. Without it
// each projection read (and decrypted) and decoded every event itself —
// with ten projections, ten times — which was a third of the server's CPU
// under load. A projection that finds the events it needs here applies
// them; one that is further behind (or whose events have left the window)
// reads the log as before. The events are read-only once here: projections
// share them and must not change them.
type recent struct {
	mu     sync.Mutex
	events []domain.Recorded // consecutive positions, oldest first
}

// add appends a page of consecutive decoded events. A page that does not
// follow the window's last event replaces the window.
func (r *recent) add(page []domain.Recorded) {
	if len(page) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.events); n == 0 || r.events[n-1].Position+1 != page[0].Position {
		r.events = nil
	}
	r.events = append(r.events, page...)
	if len(r.events) > 2*recentWindow {
		// Keep the newest window in a new array, once per window's worth
		// of events rather than on every page; slices given out keep the
		// old one until their readers let go.
		r.events = append([]domain.Recorded(nil), r.events[len(r.events)-recentWindow:]...)
	}
}

// window is the latest recentWindow events held (r.mu held).
func (r *recent) window() []domain.Recorded {
	if over := len(r.events) - recentWindow; over > 0 {
		return r.events[over:]
	}
	return r.events
}

// after gives up to limit events after position cp, or ok false when the
// window does not hold position cp+1. The slice is shared: read only.
func (r *recent) after(cp int64, limit int) (events []domain.Recorded, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	held := r.window()
	if len(held) == 0 {
		return nil, false
	}
	first := held[0].Position
	last := held[len(held)-1].Position
	if cp+1 < first || cp+1 > last {
		return nil, false
	}
	from := int(cp + 1 - first)
	to := min(len(held), from+limit)
	return held[from:to:to], true
}
