// Package kurrenttest is a test double of a KurrentDB server: a small
// in-process gRPC server, built on the generated server interfaces that
// ship with EventStore-Client-Go/v4, that keeps its log in memory. It lets
// the store contract suite and the component tests run the KurrentDB
// store (eventstore/kurrent) through the real client on any machine,
// where no KurrentDB server can be installed. It is not KurrentDB: what
// it proves about the store holds against this double only.
//
// What it does as KurrentDB 25.x does, for what the store uses:
//   - Append (the client's streaming Append): the events of one append
//     are written atomically, with the expected revision checked (any, no
//     stream, stream exists, an exact revision); a mismatch answers
//     WrongExpectedVersion with the current revision, as the server does.
//   - $all: one global order, commit order, with commit and prepare
//     positions that grow but are not dense (each record advances them by
//     its size, like byte offsets in the server's transaction file). Every
//     record has numeric "created" metadata (100 ns ticks since the Unix
//     epoch, as the server writes it; without it the v4 client calls
//     log.Fatalf), "type" and "content-type". System records ($epochs,
//     $settings) lie at the start of $all, as on a fresh server.
//   - Read of a stream or of $all, forwards or backwards, from the start,
//     the end, a revision or a position (inclusive), with a count. A stream
//     that does not exist answers StreamNotFound. A read answers events
//     and StreamNotFound only: the v4 client's reader panics on any other
//     message (first/last stream position, caught-up), which a real server
//     sends only to subscriptions.
//   - ServerFeatures answers the version 25.0.0 and no optional methods,
//     so the client uses the plain Append, not BatchAppend.
//
// Known gaps (not needed by the store; each answers Unimplemented or is
// simply absent):
//   - no subscriptions (catch-up or persistent), no filtered reads, no
//     BatchAppend, no Delete or Tombstone of streams, no stream metadata
//     ($maxCount, $tb, ACLs), no link events, no projections, no users or
//     authentication, no gossip (the client is given a single node);
//   - no server-side idempotency of a repeated append (KurrentDB answers
//     the same event ids appended again at the same expected revision with
//     success and writes nothing; the store never relies on it);
//   - no limit on append size (KurrentDB refuses appends over its
//     MaxAppendSize, 1 MiB by default), no TLS, nothing kept on disk: the
//     log lives as long as the Server;
//   - one lock orders everything, so commits never interleave in ways a
//     real server's might not either, but timing under load is not the
//     server's.
//
// The test reaches behind the gRPC interface with Records and Edit, as
// someone who can edit the server's files could: that is how the store
// contract's tamper cases change or remove stored events, which no client
// of KurrentDB can. FailAppends, FailAppendsAfter and LoseAnswers inject
// the failures a real server or network gives: an append refused, or
// written with its answer lost.
package kurrenttest
