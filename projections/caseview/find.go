package caseview

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Find reads a case from the view, with its referrals in the order made.
// A case the view does not have is domain.NotFound("case", id).
func Find(ctx context.Context, db readdb.DB, id string) (Case, error) {
	var c Case
	var jurisdiction string
	var concerns []byte
	var active, major int
	var ground, placement sql.NullString
	var received, police, response, assessed, started, ended, closed readdb.Timestamp
	err := db.SQL.QueryRowContext(ctx, `SELECT case_id, child_id, jurisdiction, status, source, concerns, risk, received_at,
		received_by, assignee, police_reported_at, first_response_at, assessed_at, guardianship_active, guardianship_ground,
		guardianship_placement, guardianship_started_at, guardianship_ended_at, major_incident, closed_at, closure_reason,
		version, last_position FROM rm_cases WHERE case_id = $1`, id).Scan(&c.ID, &c.ChildID, &jurisdiction, &c.Status,
		&c.Source, &concerns, &c.Risk, &received, &c.ReceivedBy, &c.Assignee, &police, &response, &assessed, &active,
		&ground, &placement, &started, &ended, &major, &closed, &c.ClosureReason, &c.Version, &c.LastPosition)
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, domain.NotFound("case", id)
	}
	if err != nil {
		return Case{}, fmt.Errorf("find case %s: %w", id, err)
	}
	if c.Jurisdiction, err = domain.ParseJurisdiction(jurisdiction); err != nil {
		return Case{}, fmt.Errorf("find case %s: %w", id, err)
	}
	if err := json.Unmarshal(concerns, &c.Concerns); err != nil {
		return Case{}, fmt.Errorf("find case %s: concerns: %w", id, err)
	}
	c.ReceivedAt = received.T
	c.PoliceReportedAt, c.FirstResponseAt, c.AssessedAt, c.ClosedAt = police.Ptr(), response.Ptr(), assessed.Ptr(), closed.Ptr()
	c.MajorIncident = major == 1
	if started.Valid {
		c.TemporaryGuardianship = &Guardianship{Active: active == 1, Ground: ground.String, Placement: placement.String,
			StartedAt: started.T, EndedAt: ended.Ptr()}
	}
	if c.Referrals, err = referrals(ctx, db.SQL, id); err != nil {
		return Case{}, err
	}
	return c, nil
}

// referrals reads the referrals of a case in the order made.
func referrals(ctx context.Context, db readdb.Querier, id string) ([]Referral, error) {
	rows, err := db.QueryContext(ctx, `SELECT referral_id, agency, service, status, made_at, answered_at
		FROM rm_case_referrals WHERE case_id = $1 ORDER BY made_at, referral_id`, id)
	if err != nil {
		return nil, fmt.Errorf("referrals of case %s: %w", id, err)
	}
	defer rows.Close()
	out := []Referral{}
	for rows.Next() {
		var r Referral
		var made, answered readdb.Timestamp
		if err := rows.Scan(&r.ID, &r.Agency, &r.Service, &r.Status, &made, &answered); err != nil {
			return nil, fmt.Errorf("referrals of case %s: %w", id, err)
		}
		r.MadeAt, r.AnsweredAt = made.T, answered.Ptr()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("referrals of case %s: %w", id, err)
	}
	return out, nil
}

// CasesOfChild lists the ids of the cases about a child, oldest first (by
// receipt, then id); none when the view has no case of the child.
func CasesOfChild(ctx context.Context, db readdb.DB, childID string) ([]string, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT case_id FROM rm_cases WHERE child_id = $1 ORDER BY received_at, case_id`, childID)
	if err != nil {
		return nil, fmt.Errorf("cases of child %s: %w", childID, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("cases of child %s: %w", childID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases of child %s: %w", childID, err)
	}
	return ids, nil
}
