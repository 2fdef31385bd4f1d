// Package commands carries out careledger's commands: one handler per
// command of the HTTP contract. Each loads the streams it needs through the
// one codec (eventlog), checks what no single aggregate can see — that the
// resource lies within the principal's jurisdiction (else not found), that
// a child director or supervisor is in the worker register, trained — lets
// the aggregate decide (the domain checks roles, through its table of acts,
// and every rule of the case), and appends with the expected version,
// deciding again on fresh state after a conflict. The order of the checks
// keeps what lies outside the caller's jurisdiction unseen: the places a
// body names are checked against the caller's reach before any id is
// looked up, a client-chosen id in use answers alike wherever its stream
// lies, and a stream the caller may not see answers as one that does not
// exist before If-Match is compared (execute's admission). Every entry
// point that acts for a person — HTTP, the CLI — goes through it; the
// synthetic county (commands/synth) decides through the aggregates too but
// appends straight to the store, as a loader of history does.
//
// # The stream cache
//
// Reading a whole stream on every command — through the sealing store,
// which decrypts every personal field, then through the codec — was a
// quarter of the server's time under load. The handlers therefore keep the
// streams they loaded most recently (WithStreamCache: by default up to
// 2 000 streams and 20 000 events, 20–40 MB of heap; least recently
// used first out): each one's events decoded and, for replaying an idempotent
// command, their ids and metadata, at its version.
// A cached stream is never trusted blindly:
//
//   - The stream a command appends to is decided on as cached, unread
//     (a new stream not in the cache, as empty): the append's expected
//     version is the stream's full version, checked by the store, so
//     another process's appends fail it, and the command is decided again
//     on the stream as read (executeOn). A refusal decided on the cache
//     alone is decided again after a read; a call with If-Match or an
//     idempotency key reads the stream from the start. An append that
//     fails — a conflict, or an outcome unknown — drops the stream; the
//     retry reads it whole. A follow-up on a kept case costs about a tenth
//     less CPU so (BenchmarkFollowUpOnAKeptCase: 0.20–0.22 → 0.18–0.19 ms).
//   - Every other stream a command reads (the case's child, the worker
//     whose training qualifies an act) is read from the log: the events
//     after the cached version, an indexed read that finds nothing when no
//     one appended. Nothing checks those streams at the append, so a
//     decision never rests on their cache alone.
//   - What a command appended is kept as the store answered it (positions,
//     times, hashes), only when it follows the version decided on.
//   - A cached stream holds opened personal data (a child's name, a
//     report's summary). After an erasure a read opens none of it, and a
//     command must not decide on it either: erasure is a promise that the
//     data is gone, and some decisions read personal fields (a birth date
//     reads as January 1st of its year). A store that erases by destroying
//     keys (eventstore/privacy.Store) counts the erasures it has learnt of:
//     its own at once, another process's within the 2 s it trusts its cache
//     of live keys (privacy.Keys.Erasures). Each stream is cached under the
//     count read before its data was; when the count has moved — checked
//     before a load uses the cache, after a read of the new events, and
//     before it keeps a stream — the whole cache is emptied. So a cached stream is
//     used only while every key its data was opened with is still live in
//     this process, that is exactly when a read would open the same data:
//     a process's own erasure leaves nothing of the child cached once the
//     command returns, and another process's is honoured as promptly as the
//     sealing store honours it for reads. Erasures are rare; emptying
//     everything on one keeps the rule simple.
//
// A store that keeps personal data in clear counts no erasures (it erases
// nothing a read would not give back). A store that seals must be handed
// to New as itself, not behind a wrapper that hides its count.
package commands
