// Package projections builds careledger's read models from the event log.
//
// Each projection reads the global log from its own checkpoint and applies
// events in order; the read-model change and the new checkpoint commit in
// one transaction, so each event takes effect exactly once, whatever
// crashes. New events are delivered through watermill (the in-process
// GoChannel pub/sub when one process serves everything): a feeder tails the
// log and publishes each new page of events; every projection subscribes.
// A message only speeds delivery — the log stays the source of truth: a
// runner that sees a message beginning after its checkpoint (it started
// late, or messages arrived out of order) catches up from the log first,
// and skips what it has already applied.
//
// A projection that fails on an event is retried with backoff; if it keeps
// failing, it stops with the error logged and its status set — the event
// is never skipped.
//
// This package is being built (see the projections issue): the engine and
// the case view exist; the other read models of the issue do not yet.
package projections
