package deadlines

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection is the deadline view as the engine runs it: an
// engine.Projection, engine.Clocked and engine.IndexedApply. It holds no
// state of its own between calls — everything is in its tables — so one
// value serves the live tables and a rebuild's copies alike.
type Projection struct {
	sweepBound  int // obligations marked missed in one transaction of Tick
	extendBound int // streams extended by their yearly verifications in one
}

// New makes the deadline view.
func New() *Projection { return &Projection{sweepBound: sweepBound, extendBound: extendBound} }

// Name is the projection's stable name; it keys the checkpoint.
func (*Projection) Name() string { return "deadlines" }

// NumbersItsRows marks the view as engine.Numbered: notifications and
// webhooks resume after the opened_seq a reader was told last, so its
// transactions wait for the disk.
func (*Projection) NumbersItsRows() {}

// Tables lists the view's tables.
func (*Projection) Tables() []string {
	return []string{"rm_deadlines", "rm_deadline_streams", "rm_deadline_policies", "rm_deadline_meta"}
}

// Schema is the DDL of the view's tables.
//
// rm_deadlines is one row per obligation, keyed by Key (a rectification
// names its inquiry and item); owners is the
// obligation's ownership history ([{owner, from}]), from which a missed
// obligation's owner at its due time is read; fingerprint is a hash of
// what the row says (the columns before opened_seq): an event that leaves
// an obligation as it was leaves its row. (A row carries no position of
// its own: which event last rewrote it depends on how events were batched,
// and a rebuild must give the same table as the live path.)
//
// rm_deadline_streams is one row per case, child, worker and inquiry
// stream: its facts as a snapshot (domain.CaseFacts, ChildFacts,
// WorkerFacts or InquiryFacts), its horizon (the latest business time among
// its events), the position of its last event, for a child whose yearly
// verifications run on, verify_due: the due time of the last one in
// rm_deadlines, after which Tick adds the next; and what it is about, by
// which the streams that discharge each other's clocks find each other:
// child_id (a case's child, an inquiry's child), case_id (an inquiry's
// case).
//
// rm_deadline_policies is the deadline policy's history: one row per
// change, the domain.PolicyVersion as JSON. rm_deadline_meta is one row:
// the view's generation and the next opened_seq (sequence.go), the number
// each obligation takes when it first appears.
func (*Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_deadlines (
	deadline_key   TEXT NOT NULL,
	stream_id      TEXT NOT NULL,
	kind           TEXT NOT NULL,
	subject_id     TEXT NOT NULL,
	case_id        TEXT,
	referral_id    TEXT,
	inquiry_id       TEXT,
	rectification_id TEXT,
	jurisdiction   TEXT NOT NULL,
	owner          TEXT NOT NULL,
	owners         {{json}} NOT NULL,
	started_at     {{ts}} NOT NULL,
	due_at         {{ts}} NOT NULL,
	met_at         {{ts}},
	status         TEXT NOT NULL,
	policy_version {{bigint}} NOT NULL,
	opened_seq     {{bigint}} NOT NULL,
	fingerprint    TEXT NOT NULL
)`,
		// The key is unique by this index rather than a PRIMARY KEY, so that
		// a rebuild makes it over the loaded rows (engine's shadow tables):
		// kept up row by row, keys in no order, it took a page of each
		// rebuild transaction's WAL for nearly every leaf (81 MB at 1M
		// events, written again with each page of 20,000 events).
		`CREATE UNIQUE INDEX IF NOT EXISTS rm_deadlines_key ON rm_deadlines (deadline_key)`,
		`CREATE INDEX IF NOT EXISTS rm_deadlines_stream ON rm_deadlines (stream_id)`,
		`CREATE INDEX IF NOT EXISTS rm_deadlines_opened ON rm_deadlines (opened_seq)`,
		`CREATE INDEX IF NOT EXISTS rm_deadlines_status_due ON rm_deadlines (status, due_at)`,
		// A list of one status comes in key order off this index, without
		// sorting every row of that status (the county's open obligations:
		// 160 ms before, about 3 ms).
		`CREATE INDEX IF NOT EXISTS rm_deadlines_status_key ON rm_deadlines (status, deadline_key)`,
		`CREATE INDEX IF NOT EXISTS rm_deadlines_owner ON rm_deadlines (owner)`,
		// A village's list of one status comes off this index in key order
		// (readdb.Args.PrefixOf spells a village as equality).
		`CREATE INDEX IF NOT EXISTS rm_deadlines_jurisdiction ON rm_deadlines (jurisdiction, status, deadline_key)`,
		`CREATE TABLE IF NOT EXISTS rm_deadline_streams (
	stream_id     TEXT PRIMARY KEY,
	kind          TEXT NOT NULL,
	jurisdiction  TEXT NOT NULL,
	facts         {{bytes}} NOT NULL /* ` + domain.SnapshotLayout + ` */,
	horizon       {{ts}},
	last_position {{bigint}} NOT NULL,
	verify_due    {{ts}},
	child_id      TEXT,
	case_id       TEXT
)`, `CREATE INDEX IF NOT EXISTS rm_deadline_streams_verify_due ON rm_deadline_streams (verify_due)`,
		`CREATE INDEX IF NOT EXISTS rm_deadline_streams_child ON rm_deadline_streams (child_id)`,
		`CREATE INDEX IF NOT EXISTS rm_deadline_streams_case ON rm_deadline_streams (case_id)`,
		`CREATE TABLE IF NOT EXISTS rm_deadline_meta (
	generation TEXT NOT NULL,
	next_seq   {{bigint}} NOT NULL
)`, `CREATE TABLE IF NOT EXISTS rm_deadline_policies (
	version {{bigint}} PRIMARY KEY,
	policy  {{json}} NOT NULL
)`}
}

// ApplyIndexes names the indexes Apply looks rows up by: it replaces a
// stream's rows by their stream_id, and finds the streams that discharge
// each other's clocks by child_id and case_id.
func (*Projection) ApplyIndexes() []string {
	return []string{"rm_deadlines_stream", "rm_deadline_streams_child", "rm_deadline_streams_case"}
}

// Apply changes the view by a batch of events, in log order: the snapshots
// of the streams it touches take its events, and their rows are derived
// again. A change of the deadline policy derives every stream again.
func (*Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	return apply(ctx, tx, d, events)
}

// Tick brings the view up to now: it adds the yearly information
// verifications that have come due since a child's file last changed, and
// marks every open obligation due before now missed, with its owner at the
// due time. The engine runs it (engine.Tick; a rebuild does not: it knows
// no clock) in the projection's own transactions, as many as it asks for (more: one
// extends at most extendBound streams, or marks at most sweepBound
// obligations missed); a second Tick at the same now changes nothing.
func (p *Projection) Tick(ctx context.Context, tx readdb.Tx, d readdb.Dialect, now time.Time) (bool, error) {
	return tick(ctx, tx, d, now, p.extendBound, p.sweepBound)
}
