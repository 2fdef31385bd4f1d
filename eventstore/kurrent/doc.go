// Package kurrent keeps careledger's event log in KurrentDB (formerly
// EventStoreDB), through EventStore-Client-Go/v4, for a site that already
// runs KurrentDB. It passes the store contract (eventstore/storetest) but
// for what KurrentDB cannot offer (the Features set in its test). Written
// for KurrentDB 25.x; proven against the in-process test double in
// kurrenttest only, never against a real server (see the README).
//
// # Where things are
//
// Each careledger stream is a KurrentDB stream of the same name (with
// Config.Namespace, "ns:name"). Each event is a KurrentDB event with the
// same id, type and data (content type JSON); its stream version is its
// KurrentDB revision + 1. What the chain hashes that KurrentDB does not keep
// itself rides in the event's custom metadata (envelope): the dense
// careledger position, the stream type, schema version, occurred_at and
// recorded_at, careledger's own metadata byte for byte, prev_hash and
// hash. One more stream, careledger-chain, holds the log's claims and
// seals.
//
// # Positions
//
// KurrentDB orders every event in $all by commit position, which grows but
// is not dense (it is an offset in the server's transaction file) and is
// shared with every other stream on the server. careledger's positions
// must be dense and gap-free, since they are hashed into the chain, so the
// store keeps its own: the writer assigns each event its position and
// prev_hash before it writes, and carries them in the envelope. Reads of
// the log go through $all in commit order, skip what is not the log's
// (system streams, the chain, other namespaces), and take each event's
// position from its envelope. Because the writer writes batches one after
// another (below), $all order is position order. A store handle remembers
// where in $all each position it has seen lies (index.at), so a read after
// position N starts at N's commit position instead of the start of $all.
//
// # One transaction without transactions: claim, events, seal
//
// KurrentDB appends atomically to one stream, with an expected revision;
// it has no transaction across streams. A group commit (the shared writer
// of eventstore/internal/writer, as on SQLite and PostgreSQL) is written
// in three steps:
//
//  1. Claim. The writer appends a claim to the chain stream — positions
//     From..To on the sealed head, signed with the seal key — expecting the
//     chain's revision as it read it. Claims thereby take turns: a second
//     writer (another handle, another process) that read the chain before
//     fails its claim with WrongExpectedVersion, waits, reads the log again
//     and plans its batch anew. A writer claims only when the chain ends
//     with a seal (no batch under way), so batches never interleave.
//  2. Events. Each append of the batch is one KurrentDB append to its
//     stream, with the expected revision the writer decided on (the stream
//     version - 1; no stream for version 1). Within a stream that is what
//     KurrentDB enforces; the writer itself decides expected versions,
//     idempotency and stream types, against its index of the log, as the
//     SQL writer does against its tables, so a caller's stale expected
//     version is a *VersionConflictError before KurrentDB is asked. A
//     WrongExpectedVersion from KurrentDB here means something other than
//     careledger's writer wrote to the stream; it is answered as a
//     *VersionConflictError too, carrying the stream's version in
//     KurrentDB (its last revision + 1).
//  3. Seal. The writer appends the head seal {position, hash, sealed_at,
//     HMAC} to the chain stream, expecting the claim's revision. The seal
//     is the commit: readers (ReadLog, ReadStream, ReadStreams, Head) see
//     the log up to the sealed head and nothing beyond it, so a batch
//     whose events have landed but which is not sealed is not visible —
//     no reader sees N+1 before N, nor an event its writer has not
//     acknowledged (storetest's HeldOpenTransactionLeavesNoGap passes).
//
// Verify and VerifyFrom walk everything stored, sealed or not: events
// beyond the seal are reported as not covered by it, after waiting (up to
// Config.ClaimWait) for a batch under way to be sealed. The seal checks of
// eventstore.VerifyChain apply unchanged; the writer refuses to append
// when the log's head is not the sealed head (ErrLogTampered).
//
// # Idempotency without an index by event id
//
// KurrentDB finds events by stream, not by id across streams. Each store
// handle therefore keeps an index of the log, built by reading $all once
// and then following it: each event id's stream and version, each stream's
// version and type, the head, and the $all position of each position. An
// append whose ids are known is answered from the stored events, or
// refused with ErrEventIDReused, as on the SQL stores. The index costs
// memory in proportion to the log (measured: about 60 bytes an event when
// streams hold ten events, about 115 with one event per stream, plus each
// stream's id) and a read of the whole $all when a handle first writes or
// reads far back. Existing events are read back by position.
//
// # Writers: one at a time, fenced by the chain
//
// Several handles and processes may write: their claims take turns on the
// chain's expected revision (storetest's GlobalOrderIsCommitOrder and
// AnotherProcessWritesBetweenAppends run two writing handles). What this
// does not survive is a writer that dies between its claim and its seal:
// the chain then ends with a claim, and every other writer waits
// Config.ClaimWait and then refuses to append, saying whose claim it is.
// The handle that made the claim seals what of it landed on its next write
// (a failed batch is sealed at once, at what landed, so only a crash
// leaves a claim open), and so does a store opened with the same
// Config.Writer — the same process restarted: careledger serve keeps its
// writer identity in its data directory and holds the directory's lock
// while it runs, so a server restarted after a crash seals its own claim
// on its first append. Sealing another process's claim cannot be made
// safe without a lease (that process may only be slow, and could land more
// events of its claim after the seal), so it is an operator's act, when no
// careledger process writes the log: SealUnfinishedClaim (careledger
// seal-claim) seals the claim at what of it landed, if the claim is signed
// with the seal key and what landed chains onto the sealed head within it.
// The writer that claimed, should it come back, cannot seal over that (its
// seal expects the chain as it left it). For that reason, and because a
// batch's events are separate KurrentDB appends, the stated constraint is
// one careledger server writing a log at a time.
//
// # Namespaces
//
// Config.Namespace prefixes stream names ("ns:case-…", "ns:careledger-chain")
// so that several logs share one server (the contract suite on a real
// server gives each test its own). careledger's stream ids hold no ':'
// (Append refuses one), so a log without a namespace skips every stream
// whose name holds one.
package kurrent
