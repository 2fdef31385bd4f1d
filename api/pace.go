package api

import (
	"context"
	"time"
)

// DefaultBacklog is how many events the read models may lag behind a
// command's last event before its answer waits for them (Config.Backlog).
//
// Why: on SQLite the read models have a file, and a write lock, of their
// own, so commands no longer wait for the projections' transactions; 32
// writers then appended faster than the projections (one transaction a
// page, on one core) applied, and the lag grew without bound: 12 s after
// 45 s of load (2026-12-07). A command whose answer waits for the read
// models to come within this many events of it holds the log to the pace
// the read models keep. The same 45 s: a backlog of 2,000 events, lag p99
// 1.37 s; of 500, 0.38 s, and 1,100 commands/s (against 850–910 with the
// read models in the log's file).
const DefaultBacklog = 500

// maxPace bounds how long a command's answer waits for the read models: a
// projection that is stuck (its owner gone, on PostgreSQL, until another
// server takes over) slows the writes down, never stops them.
const maxPace = time.Second

// keepPace holds a command's answer, up to maxPace (or the server's
// min_position bound, if shorter), until every projection has applied the
// log to within the backlog of the command's last event — not while the
// projections are still being rebuilt at start (/readyz tells that wait).
// The command is committed already: waiting in vain (a projection stopped,
// the bound passed, the client gone) only lets the answer go.
func (s *Server) keepPace(ctx context.Context, ans Answer) {
	if s.backlog < 0 || len(ans.Events) == 0 {
		return
	}
	select {
	case <-s.engine.Started():
	default:
		return // a rebuild at start: the server is not ready, and says so
	}
	pos := ans.Events[len(ans.Events)-1].GlobalPosition - s.backlog
	if pos <= 0 {
		return
	}
	if s.engine.Reached(pos) {
		return // within the backlog: no need to wait
	}
	ctx, cancel := context.WithTimeout(ctx, min(s.wait, maxPace))
	defer cancel()
	began := time.Now()
	_ = s.engine.WaitFor(ctx, pos)
	s.metrics.paced.Observe(time.Since(began).Seconds())
}
