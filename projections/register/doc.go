// Package register is the view of the real-name register of workers (实名制):
// one row per worker (rm_workers) and one per post a worker held
// (rm_worker_posts), with the queries over them — List for GET /v1/workers,
// Holders for "who held this post, when", which obligations and the
// trace-back report resolve their owners by.
//
// Why it keeps a snapshot: a worker's entry is folded once, by
// domain.WorkerFacts, and everything here — active or not, the post held at
// each moment, the last passed training — is derived from that one fold.
// Each row keeps the facts as a snapshot; a batch loads the snapshots of the
// workers it touches, applies its events, and writes the derived columns
// and the worker's posts again.
//
// Why a worker's qualification is not a column: it changes with the time
// (a retraining falls overdue) and with the deadline policy in force, so a
// query judges it at its own "now" from the facts (domain.WorkerFacts.
// QualificationAt).
package register
