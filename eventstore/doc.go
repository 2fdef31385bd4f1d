// Package eventstore is careledger's event log: append-only, hash-chained,
// gap-free in global order, and durable once an append is acknowledged.
// Every case action, child file update and policy change is an event here;
// every read model is rebuilt from it. Backends live in sub-packages
// (sqlite, postgres, kurrent) and all pass the contract suite in storetest
// (kurrent but for what KurrentDB cannot offer, storetest.Features).
//
// # Streams, versions, positions
//
// An event belongs to one stream (a case, a child, a worker…) and has a
// stream version (1, 2, 3… within the stream) and a global position (1, 2,
// 3… over the whole log). Append takes an ExpectedVersion: AnyVersion,
// NoStream, or Exactly(n); a mismatch is a *VersionConflictError carrying
// the current version. The events of one append are written atomically.
// Appends are idempotent by event id: the same ids with the same bodies in
// the same stream answer the stored events and write nothing; an id stored
// with another body, or in another stream, is ErrEventIDReused.
//
// # No reader ever skips an event
//
// A database sequence hands out numbers at insert but they become visible at
// commit, in commit order, so a reader that has seen N+1 can still miss N.
// careledger does not use one. Positions are assigned by a single serialized
// writer: every write transaction first takes the log's write lock (SQLite's
// database write lock via BEGIN IMMEDIATE; a transaction-scoped advisory lock
// on PostgreSQL), then reads the head, assigns the next positions, inserts
// and commits, all before the next writer — in this process or any other —
// can read the head. Transactions therefore commit in position order and the
// log a reader sees is always a gap-free prefix: position N+1 is never
// visible before N. storetest's HeldOpenTransactionLeavesNoGap holds one
// write transaction open while another process's appends queue behind it.
//
// # Group commit
//
// Within a process, Append queues its request; one writer goroutine takes
// every request waiting (up to Options.MaxBatch) into one transaction. Each
// append is decided on its own — idempotency, stream type, expected version —
// against the log as that transaction sees it, so a conflicting append fails
// alone and its batch-mates commit. Should the database refuse the
// transaction itself, the batch is retried one append per transaction. One
// fsync then acknowledges many appends: that is how concurrent writers
// outrun one-insert-per-transaction. A caller that finds no group commit
// under way commits its own append (and whatever queued) at once.
//
// The writer remembers the head it wrote and the streams it saw, and then
// plans the next batch without reading them first (on PostgreSQL the whole
// transaction is then one round trip). This is safe because the unique
// indexes check exactly what it assumes: if another process appended
// meanwhile, the next position is taken; if a stream assumed new exists, its
// version 1 is taken. The transaction then fails and the batch is planned
// again from what is read under the write lock. An event id already stored
// (a retried append) is caught by its unique index the same way, and only
// then are the batch's ids looked up.
//
// A full disk is one way the database refuses a transaction: each backend
// translates its driver's report of it (SQLITE_FULL; PostgreSQL's 53100
// disk_full) into ErrStorageFull, once, in package dberr. The transaction
// is rolled back whole, so nothing refused is half-written; the writer
// forgets the head it believed in, as after any failed transaction, and
// the next append — once space is freed — goes through on the same store,
// with no restart.
//
// When it reads the log, the writer also reads the seal, and refuses to
// append (ErrLogTampered) if the head is not the one the seal records:
// appending would chain onto a cut log and rewrite the seal over the
// evidence.
//
// Positions are dense integers on the SQL backends. A backend on an
// event-native database (KurrentDB) fits the same interface: Append with an
// expected version, reads by stream and in global order, Verify over the
// stored bytes; it must then keep its own dense position. Package kurrent
// does: its writer assigns positions and carries them in each event's
// metadata, claims a batch's positions on a chain stream before writing
// its events, and commits them with the seal, which bounds what readers
// see (its package comment has the design).
//
// # Hash chain and seal
//
// All events form one global chain: hash = SHA-256(prev_hash ‖ canonical
// envelope ‖ data), see ChainHash for the exact bytes. The chain covers the
// bytes as stored, so encrypted personal data is hashed as ciphertext and
// erasing a child's key never breaks it. Verify walks the log and reports
// the first position that is changed, missing, moved or forged.
//
// A chain alone cannot show that its last events were removed, nor that
// correctly-chained events were added by someone who knows the algorithm.
// Two things close that gap:
//   - The head seal: every append transaction also rewrites a one-row
//     chain_seal table with the new head {position, hash} and an
//     HMAC-SHA256 over it with the seal key (Options.SealKey), which lives
//     outside the database. Verify checks the signature, that the sealed
//     position still exists with the sealed hash, and that no event lies
//     beyond it. Someone who can write the database but lacks the key can
//     neither move the seal back after truncating nor forward after forging.
//     Without a key the seal is unsigned and catches only those who forget
//     to rewrite it.
//   - Exported anchors: Head returns {position, hash}; an inspector can keep
//     it (print it in a report) and later pass it to Verify, which checks
//     that the event at that position still has that hash. This holds even
//     against someone who has the seal key and can replay an old seal.
//
// # Verifying often
//
// Every report and trace-back carries the verification of the whole log,
// and GET /v1/integrity answers one. Walking the log from position 1 each
// time costs every event's hash on every request: any inspector's token
// could keep the database busy (issue #14, finding 10). A Verifier, one per
// process, makes that cost the events appended since it last looked:
//
//   - It remembers the head it last verified, {position, hash}, and the
//     next check walks from there (VerifyFrom): the event at that position
//     must still be there with that hash and bytes that give it, the events
//     after it must chain onto it, and the seal is checked as a full walk
//     checks it. A cut after the head, a broken link, a forged tail or a
//     rewrite of the head's own event shows at once. Chaining onto a hash
//     verified before is what keeps the answer about the whole log: the
//     head's hash commits to its prev_hash, that one to the event before,
//     and so to every event up to the head as it was when walked.
//   - What an incremental check gives up is an event before the head
//     rewritten in the database after it was walked: that change breaks the
//     chain where nothing walks now. So the whole log is walked again once
//     the last full walk ended VerifierOptions.FullWalkEvery ago (default
//     15 minutes), on the first check after that, and at once whenever an
//     incremental check finds anything wrong, so that a broken answer always
//     names the log's first broken position. A process starts with no head:
//     its first check is a full walk.
//   - The answer (ChainCheck) says what was done: the head it covers, how
//     many events were walked now, whether the walk was full, and when the
//     last full walk ended and up to which event it went. A report states
//     these, so that its reader knows how far the proof reaches and how
//     fresh its oldest part is; exported anchors and 'careledger verify'
//     remain for a check that trusts nothing this process remembers.
//   - One walk at a time: a caller that arrives while a walk is under way
//     waits for the next one, which every caller arriving meanwhile shares
//     (it starts after they asked, so it covers what they read). A burst of
//     N requests costs at most two walks, and an intact log one full walk
//     per interval whatever the rate of requests.
//   - A log found broken is reported broken, without walking, until the
//     next full walk is due: tampering does not turn every request back into
//     a full walk.
//
// careledger verify (the CLI) still walks everything: it is an explicit
// request, made by someone at the database, and a fresh process has no head
// to start from anyway.
package eventstore
