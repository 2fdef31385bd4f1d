package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Actor is who caused a timeline entry, and where the actor's training
// stood at the act (qualified, lapsed, untrained; empty for entries
// recorded before it was kept).
type Actor struct {
	Subject       string `json:"subject"`
	Role          string `json:"role"`
	Jurisdiction  string `json:"jurisdiction"`
	Qualification string `json:"qualification,omitempty"`
}

// ActorOf is an event's actor as a timeline shows it.
func ActorOf(a domain.Actor) Actor {
	return Actor{Subject: a.Subject, Role: a.Role.String(), Jurisdiction: a.Jurisdiction.String(), Qualification: a.Qualification.String()}
}

// Item is one entry of a timeline: an event of a case or a child's file,
// with both its times and a summary for people. CaseID names the case an
// entry of a child's timeline belongs to ("" for the file's own entries).
type Item struct {
	Type           string    `json:"type"`
	OccurredAt     time.Time `json:"occurred_at"`
	RecordedAt     time.Time `json:"recorded_at"`
	Actor          Actor     `json:"actor"`
	GlobalPosition int64     `json:"global_position"`
	Summary        string    `json:"summary"`
	CaseID         string    `json:"case_id,omitempty"`
	// Correction is, for the entry of a correction, what it corrected:
	// read from the log by readers of the child's file (Corrected), not
	// kept in the timeline's read model; its summary then says it too
	// (CorrectionSummary).
	Correction *Correction `json:"correction,omitempty"`
}

// OfCase is what happened in a case, in business-time order (occurred_at,
// then log position), as the record stood at asOf: only entries recorded
// at or before it. A zero asOf gives everything recorded.
func OfCase(ctx context.Context, db readdb.DB, caseID string, asOf time.Time) ([]Item, error) {
	items, err := query(ctx, db, "case_id", caseID, asOf)
	if err != nil {
		return nil, fmt.Errorf("timeline of case %s: %w", caseID, err)
	}
	return items, nil
}

// OfChild is everything that happened to a child — the file's own entries
// (registration, updates, visits, entrustment, corrections, erasure) and
// every entry of each of the child's cases — in business-time order, as
// the record stood at asOf (zero: everything recorded).
func OfChild(ctx context.Context, db readdb.DB, childID string, asOf time.Time) ([]Item, error) {
	items, err := query(ctx, db, "child_id", childID, asOf)
	if err != nil {
		return nil, fmt.Errorf("timeline of child %s: %w", childID, err)
	}
	return items, nil
}

// query reads the rows whose column (case_id or child_id) is id.
func query(ctx context.Context, db readdb.DB, column, id string, asOf time.Time) ([]Item, error) {
	var a readdb.Args
	q := `SELECT type, occurred_at, recorded_at, actor_subject, actor_role, actor_jurisdiction, actor_qualification, global_position, summary,
		coalesce(case_id, '') FROM rm_timeline WHERE ` + column + ` = ` + a.Arg(id)
	if !asOf.IsZero() {
		q += ` AND recorded_at <= ` + a.Arg(db.Dialect.Time(asOf))
	}
	rows, err := db.SQL.QueryContext(ctx, q+` ORDER BY occurred_at, global_position`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []Item{}
	for rows.Next() {
		var it Item
		var occurred, recorded readdb.Timestamp
		if err := rows.Scan(&it.Type, &occurred, &recorded, &it.Actor.Subject, &it.Actor.Role, &it.Actor.Jurisdiction, &it.Actor.Qualification,
			&it.GlobalPosition, &it.Summary, &it.CaseID); err != nil {
			return nil, err
		}
		it.OccurredAt, it.RecordedAt = occurred.T, recorded.T
		items = append(items, it)
	}
	return items, rows.Err()
}
