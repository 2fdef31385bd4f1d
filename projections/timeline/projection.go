package timeline

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection keeps the timeline (rm_timeline) and its two lookups for the
// engine.
type Projection struct{}

// Name implements engine.Projection.
func (Projection) Name() string { return "timeline" }

// Tables implements engine.Projection.
func (Projection) Tables() []string {
	return []string{"rm_timeline", "rm_timeline_cases", "rm_timeline_referrals"}
}

// Schema implements engine.Projection. A row of rm_timeline is an event of
// a case (case_id set; child_id the case's child, once its report is
// known) or of a child's file (case_id NULL). rm_timeline_cases and
// rm_timeline_referrals are the lookups: a case's child, a referral's
// agency and service.
func (Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_timeline (
	global_position    {{bigint}} PRIMARY KEY,
	stream_id          TEXT NOT NULL,
	case_id            TEXT,
	child_id           TEXT,
	event_id           TEXT NOT NULL,
	type               TEXT NOT NULL,
	occurred_at        {{ts}} NOT NULL,
	recorded_at        {{ts}} NOT NULL,
	actor_subject      TEXT NOT NULL,
	actor_role         TEXT NOT NULL,
	actor_jurisdiction TEXT NOT NULL,
	actor_qualification TEXT NOT NULL DEFAULT '',
	summary            TEXT NOT NULL
)`, `CREATE INDEX IF NOT EXISTS rm_timeline_case ON rm_timeline (case_id, occurred_at)`,
		`CREATE INDEX IF NOT EXISTS rm_timeline_child ON rm_timeline (child_id, occurred_at)`,
		`CREATE TABLE IF NOT EXISTS rm_timeline_cases (
	case_id  TEXT PRIMARY KEY,
	child_id TEXT NOT NULL
)`, `CREATE TABLE IF NOT EXISTS rm_timeline_referrals (
	case_id     TEXT NOT NULL,
	referral_id TEXT NOT NULL,
	agency      TEXT NOT NULL,
	service     TEXT NOT NULL,
	PRIMARY KEY (case_id, referral_id)
)`}
}

// Apply implements engine.Projection: it loads the lookups of the cases
// whose streams the batch continues, keeps what the batch teaches them as
// it goes, and writes the batch's rows at the end — a few statements per
// batch.
func (Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	l, err := loadLookups(ctx, tx, domain.ContinuedIDs(events, domain.StreamCase))
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(events))
	for _, r := range events {
		switch r.StreamID.Kind() {
		case domain.StreamCase:
			caseID := r.StreamID.ID()
			l.learn(caseID, r.Event)
			var child any
			if id, ok := l.childOf[caseID]; ok {
				child = id
			}
			rows = append(rows, row(d, r, caseID, child, Summary(r.Event, l.referralsOf(caseID))))
		case domain.StreamChild:
			rows = append(rows, row(d, r, nil, r.StreamID.ID(), Summary(r.Event, nil)))
		}
	}
	if err := l.save(ctx, tx, d); err != nil {
		return err
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_timeline (global_position, stream_id, case_id, child_id,
			event_id, type, occurred_at, recorded_at, actor_subject, actor_role, actor_jurisdiction, actor_qualification, summary) VALUES `,
		``, rows); err != nil {
		return fmt.Errorf("timeline: save rows: %w", err)
	}
	return nil
}

// row is the row of rm_timeline for an event.
func row(d readdb.Dialect, r domain.Recorded, caseID, childID any, summary string) []any {
	return []any{r.Position, r.StreamID.String(), caseID, childID, r.ID.String(), r.Event.EventType(),
		d.Time(r.OccurredAt), d.Time(r.RecordedAt), r.Actor.Subject, r.Actor.Role.String(),
		r.Actor.Jurisdiction.String(), r.Actor.Qualification.String(), summary}
}
