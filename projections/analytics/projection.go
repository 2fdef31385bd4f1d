package analytics

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection is the statistics' read model as the engine runs it
// (engine.Projection): rm_stats_cases, one row per case with where
// (jurisdiction, county), when (month of receipt, China Standard Time),
// what (source, risk, concerns), the moments its response times are
// measured by and its de-identified facts (facts); rm_stats_case_concerns,
// one row per case and concern, for grouping.
type Projection struct{}

// Name is the read model's stable name: it keys the checkpoint.
func (Projection) Name() string { return "analytics" }

// Tables are the read model's tables.
func (Projection) Tables() []string { return []string{"rm_stats_cases", "rm_stats_case_concerns"} }

// Schema is the DDL of the read model's tables.
//
// first_response_us, police_report_us and assessment_us are the whole
// microseconds from received_at to first_response_at, police_reported_at
// and assessed_at (NULL while a case has no such moment): what Stats reads,
// as integers, rather than four timestamps a case (its times are kept to the
// microsecond on both databases, so the differences are exact).
//
// facts is the case's de-identified domain.CaseFacts as a snapshot (the
// domain's compact binary layout, named in the DDL so that another layout
// rebuilds the read model): only Apply reads it, whole.
func (Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_stats_cases (
	case_id            TEXT PRIMARY KEY,
	jurisdiction       TEXT NOT NULL,
	county             TEXT NOT NULL,
	month              TEXT NOT NULL,
	source             TEXT NOT NULL,
	risk               TEXT NOT NULL,
	concerns           {{json}} NOT NULL,
	received_at        {{ts}} NOT NULL,
	police_reported_at {{ts}},
	first_response_at  {{ts}},
	assessed_at        {{ts}},
	closed_at          {{ts}},
	first_response_us  BIGINT,
	police_report_us   BIGINT,
	assessment_us      BIGINT,
	facts              {{bytes}} NOT NULL /* ` + domain.SnapshotLayout + ` */
)`, `CREATE INDEX IF NOT EXISTS rm_stats_cases_received ON rm_stats_cases (received_at)`,
		`CREATE INDEX IF NOT EXISTS rm_stats_cases_jurisdiction ON rm_stats_cases (jurisdiction)`,
		`CREATE TABLE IF NOT EXISTS rm_stats_case_concerns (
	case_id TEXT NOT NULL,
	concern TEXT NOT NULL,
	PRIMARY KEY (case_id, concern)
)`}
}

// Apply changes the statistics by a batch of events: it loads the
// de-identified facts of the cases the batch touches, applies the batch's
// events of their streams, and writes each case's row once (and the
// concerns of the cases the batch opens) — a few statements per batch.
// Applying never fails on an event: the facts take any history (a second
// report changes nothing); a stream that no report has opened has no row.
func (Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	if len(domain.TouchedIDs(events, domain.StreamCase)) == 0 {
		return nil
	}
	// Only the cases the batch takes up after their start can have a row.
	b, err := load(ctx, tx, domain.ContinuedIDs(events, domain.StreamCase))
	if err != nil {
		return fmt.Errorf("case statistics: %w", err)
	}
	for _, r := range events {
		if r.StreamID.Kind() == domain.StreamCase {
			b.facts(r.StreamID.ID()).Apply(r)
		}
	}
	if err := b.save(ctx, tx, d); err != nil {
		return fmt.Errorf("case statistics: %w", err)
	}
	return nil
}
