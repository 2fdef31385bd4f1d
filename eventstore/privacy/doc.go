// Package privacy keeps children's personal data encrypted in the event
// log: a Store wraps any event store and, on the way in, encrypts each
// personal field under its data subject's own data key; on the way out it
// decrypts them, or — once the key is destroyed by an erasure — reads them
// as null (crypto-shredding). The hash chain covers the ciphertext, so an
// erasure never breaks it. Data keys live in the database, wrapped by a
// master key that never does (Keys).
//
// The package knows no domain. Which fields are personal, whose they are
// and which event erases them come from a Catalog that the owner of the
// events passes to Wrap (eventlog.PrivacyCatalog).
package privacy
