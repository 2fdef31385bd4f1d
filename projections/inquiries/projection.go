// Package inquiries is the read model of accountability inquiries (倒查):
// one row per inquiry, with what it looks into, when its findings were
// recorded and whether it is open or closed, for GET /v1/inquiries and the
// legal hold on erasure.
package inquiries

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection keeps rm_inquiries for the engine.
type Projection struct{}

// Name implements engine.Projection.
func (Projection) Name() string { return "inquiries" }

// Tables implements engine.Projection.
func (Projection) Tables() []string { return []string{"rm_inquiries"} }

// Schema implements engine.Projection. An inquiry looks into a case
// (case_id) or a child (child_id); status is "open" until it is closed
// (closed_at); findings_at is when its findings were recorded.
func (Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_inquiries (
	inquiry_id  TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL,
	child_id    TEXT NOT NULL,
	status      TEXT NOT NULL,
	incident_at {{ts}} NOT NULL,
	opened_at   {{ts}} NOT NULL,
	opened_by   TEXT NOT NULL,
	findings_at {{ts}},
	closed_at   {{ts}}
)`, `CREATE INDEX IF NOT EXISTS rm_inquiries_case ON rm_inquiries (case_id)`,
		`CREATE INDEX IF NOT EXISTS rm_inquiries_child ON rm_inquiries (child_id)`}
}

// Apply implements engine.Projection: an opened inquiry gets its row (a
// second opening of the same inquiry changes nothing); its findings set
// findings_at and its closure closes it, each the first time only, as
// domain.InquiryFacts folds them. An inquiry's later events always follow
// its opening in the log, so the batch's openings are written first.
func (Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	var rows [][]any
	for _, r := range events {
		e, ok := r.Event.(domain.InquiryOpened)
		if !ok {
			continue
		}
		rows = append(rows, []any{r.StreamID.ID(), e.CaseID, e.ChildID, "open", d.Time(e.IncidentAt), d.Time(r.OccurredAt), r.Actor.Subject})
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_inquiries (inquiry_id, case_id, child_id, status, incident_at, opened_at, opened_by) VALUES `,
		` ON CONFLICT (inquiry_id) DO NOTHING`, rows); err != nil {
		return fmt.Errorf("save inquiries: %w", err)
	}
	for _, r := range events {
		var stmt string
		switch r.Event.(type) {
		case domain.InquiryFindingsRecorded:
			stmt = `UPDATE rm_inquiries SET findings_at = $1 WHERE inquiry_id = $2 AND findings_at IS NULL`
		case domain.InquiryClosed:
			stmt = `UPDATE rm_inquiries SET status = 'closed', closed_at = $1 WHERE inquiry_id = $2 AND closed_at IS NULL`
		default:
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt, d.Time(r.OccurredAt), r.StreamID.ID()); err != nil {
			return fmt.Errorf("save inquiry %s: %w", r.StreamID.ID(), err)
		}
	}
	return nil
}
