package caseview

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection is the case view as the engine runs it (engine.Projection):
// rm_cases, one row per case, its columns derived from the case's facts
// and the facts themselves as a snapshot (facts); rm_case_referrals, one
// row per referral.
type Projection struct{}

// Name is the view's stable name: it keys the checkpoint.
func (Projection) Name() string { return "cases" }

// Tables are the view's tables.
func (Projection) Tables() []string { return []string{"rm_cases", "rm_case_referrals", "rm_caseload"} }

// Schema is the DDL of the view's tables.
//
// facts is the case's domain.CaseFacts as a snapshot (the domain's compact
// binary layout, named in the DDL so that another layout rebuilds the
// view): only Apply reads it, whole, to fold the next events into.
func (Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_cases (
	case_id                 TEXT PRIMARY KEY,
	child_id                TEXT NOT NULL,
	jurisdiction            TEXT NOT NULL,
	status                  TEXT NOT NULL,
	source                  TEXT NOT NULL,
	concerns                {{json}} NOT NULL,
	risk                    TEXT NOT NULL,
	received_at             {{ts}} NOT NULL,
	received_by             TEXT NOT NULL,
	assignee                TEXT,
	police_reported_at      {{ts}},
	first_response_at       {{ts}},
	assessed_at             {{ts}},
	guardianship_active     INTEGER NOT NULL DEFAULT 0,
	guardianship_ground     TEXT,
	guardianship_placement  TEXT,
	guardianship_started_at {{ts}},
	guardianship_ended_at   {{ts}},
	major_incident          INTEGER NOT NULL DEFAULT 0,
	closed_at               {{ts}},
	closure_reason          TEXT,
	version                 {{bigint}} NOT NULL,
	last_position           {{bigint}} NOT NULL,
	facts                   {{bytes}} NOT NULL /* ` + domain.SnapshotLayout + ` */
)`, `CREATE INDEX IF NOT EXISTS rm_cases_jurisdiction ON rm_cases (jurisdiction)`,
		`CREATE INDEX IF NOT EXISTS rm_cases_assignee ON rm_cases (assignee)`,
		`CREATE INDEX IF NOT EXISTS rm_cases_child ON rm_cases (child_id)`,
		`CREATE TABLE IF NOT EXISTS rm_case_referrals (
	case_id     TEXT NOT NULL,
	referral_id TEXT NOT NULL,
	agency      TEXT NOT NULL,
	service     TEXT NOT NULL,
	status      TEXT NOT NULL,
	made_at     {{ts}} NOT NULL,
	answered_at {{ts}},
	PRIMARY KEY (case_id, referral_id)
)`, `CREATE INDEX IF NOT EXISTS rm_case_referrals_agency ON rm_case_referrals (agency, referral_id)`,
		`CREATE INDEX IF NOT EXISTS rm_case_referrals_referral ON rm_case_referrals (referral_id)`,
		caseloadSchema}
}

// Apply changes the view by a batch of events: it loads the facts of the
// cases the batch touches, applies the batch's events of their streams to
// them, and writes each case's row once, with the referrals that changed —
// a few statements per batch, not one per event. Applying never fails on
// an event: the facts take any history (a second report changes nothing);
// a stream that no report has opened yet has no row.
func (Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	if len(domain.TouchedIDs(events, domain.StreamCase)) == 0 {
		return nil
	}
	// Only the cases the batch takes up after their start can have a row.
	b, err := load(ctx, tx, domain.ContinuedIDs(events, domain.StreamCase))
	if err != nil {
		return fmt.Errorf("case view: %w", err)
	}
	for _, r := range events {
		if r.StreamID.Kind() == domain.StreamCase {
			b.facts(r.StreamID.ID()).Apply(r)
		}
	}
	if err := b.save(ctx, tx, d); err != nil {
		return fmt.Errorf("case view: %w", err)
	}
	return nil
}
