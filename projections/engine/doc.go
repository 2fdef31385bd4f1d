// Package engine runs careledger's projections: it feeds each read model
// the event log in order, from its own checkpoint, and keeps it there.
//
// Each projection reads the global log from its own checkpoint and applies
// events in order; the read-model change and the new checkpoint commit in
// one transaction, so each event takes effect exactly once, whatever
// crashes. New events are delivered through watermill: a feeder tails the
// log and publishes a notice of each new page of events; every projection
// subscribes. When one process serves everything the pub/sub is the
// in-process GoChannel and the feeder decodes each new event once for all
// the projections, which take it from a window of recent events (Run). When
// projection workers run as separate processes it is durable —
// PostgresDelivery, watermill-sql in the log's database — and a notice names
// only positions: the server feeds (Feed), workers read the events from the
// log (Follow). A message only speeds delivery — the log stays the source
// of truth: a runner that sees a message beginning after its checkpoint (it
// started late, or messages arrived out of order) catches up from the log
// first, and skips what it has already applied.
//
// A projection that fails on an event is retried with backoff; if it keeps
// failing, it stops with the error logged and its status set — the event
// is never skipped. A full disk (eventstore.ErrStorageFull) is not the
// event's fault: the projection waits for space, however long, and goes on
// by itself once there is some, so that no restart or rebuild is needed.
// Rebuild builds projections again from the start of the log into shadow
// tables while the live ones keep serving, then swaps them in. Tick brings
// the projections whose rows change with the time (Clocked) up to now, as
// an input to the projection itself, never as a second writer of its
// tables; a rebuild, like the log, knows no clock, so what it swaps in is
// brought up to now by the next Tick (serve ticks every minute,
// 'projections rebuild' once it has swapped).
//
// The engine knows no read model: they are given to New (projections.All
// lists careledger's), and each decodes nothing itself — the engine decodes
// the log through the one codec (eventlog); in one process, once for all of
// them (recent.go).
package engine
