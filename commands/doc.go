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
package commands
