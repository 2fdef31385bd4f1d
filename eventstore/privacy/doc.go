// Package privacy keeps children's personal data encrypted in the event
// log: a Store wraps any event store and, on the way in, encrypts each
// personal field under its data subject's own data key; on the way out it
// decrypts them, or — once the key is destroyed by an erasure — reads them
// as null (crypto-shredding). The hash chain covers the ciphertext, so an
// erasure never breaks it. Data keys live in the database, wrapped by a
// master key that never does (Keys). Where they live in the log's own
// database (KeysInLog), a new key is stored by the append that first seals
// with it, in that append's transaction (keys_companion.go).
//
// A personal field is a path into an event's JSON data; "[]" in it reaches
// into each element of an array, so that an inquiry's findings can seal
// each item's text and leave its owner and due date in clear: what
// accountability needs outlives an erasure, the child's text does not.
//
// The fingerprint of the request that caused an event (its metadata's
// request_hash, which tells an idempotent retry from another request) is a
// keyed hash of a body that may hold the child's data, so it is sealed like
// a personal field in every stream that holds a subject's data, and an
// erasure destroys it too: it then reads as "", and a retry can no longer
// be confirmed (fingerprint.go).
//
// The package knows no domain. Which fields are personal, whose they are
// and which event erases them come from a Catalog that the owner of the
// events passes to Wrap (eventlog/personal.Catalog). A stream's subject is
// named by its id or by its opening event; an opening event may be allowed
// to name none (Subject.Optional), for streams opened before their events
// named a subject, which then stay in clear as they were written.
package privacy
