package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNoSuchRow: the read model has no such case or child.
var ErrNoSuchRow = errors.New("no such row in the read model")

// CaseView is a case as GET /v1/cases/{id} shows it (API.md "Case").
type CaseView struct {
	ID                    string                 `json:"id"`
	ChildID               string                 `json:"child_id"`
	Jurisdiction          string                 `json:"jurisdiction"`
	Status                string                 `json:"status"`
	Source                string                 `json:"source"`
	Concerns              []string               `json:"concerns"`
	Risk                  string                 `json:"risk"`
	ReceivedAt            time.Time              `json:"received_at"`
	ReceivedBy            string                 `json:"received_by"`
	Assignee              *string                `json:"assignee"`
	PoliceReportedAt      *time.Time             `json:"police_reported_at"`
	FirstResponseAt       *time.Time             `json:"first_response_at"`
	AssessedAt            *time.Time             `json:"assessed_at"`
	Referrals             []CaseReferral         `json:"referrals"`
	TemporaryGuardianship *TemporaryGuardianship `json:"temporary_guardianship"`
	MajorIncident         bool                   `json:"major_incident"`
	ClosedAt              *time.Time             `json:"closed_at"`
	ClosureReason         *string                `json:"closure_reason"`
	Deadlines             []DeadlineRow          `json:"deadlines"`
	Version               int64                  `json:"version"`
	LastPosition          int64                  `json:"last_position"`
}

// CaseReferral is a referral of a case and how it stands.
type CaseReferral struct {
	ID         string     `json:"id"`
	Agency     string     `json:"agency"`
	Service    string     `json:"service"`
	Status     string     `json:"status"`
	MadeAt     time.Time  `json:"made_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// TemporaryGuardianship is a case's latest temporary guardianship.
type TemporaryGuardianship struct {
	Active    bool       `json:"active"`
	Ground    string     `json:"ground"`
	Placement string     `json:"placement"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

// FindCase reads a case from the case view, with its referrals and its
// obligations (statuses judged at now, as QueryDeadlines judges them).
// A case the view does not have is ErrNoSuchRow.
func FindCase(ctx context.Context, db *sql.DB, id string, now time.Time) (CaseView, error) {
	var c CaseView
	var concerns []byte
	var active, major int
	var ground, placement sql.NullString
	var received, police, response, assessed, started, ended, closed scannedTime
	err := db.QueryRowContext(ctx, `SELECT case_id, child_id, jurisdiction, status, source, concerns, risk, received_at,
		received_by, assignee, police_reported_at, first_response_at, assessed_at, guardianship_active, guardianship_ground,
		guardianship_placement, guardianship_started_at, guardianship_ended_at, major_incident, closed_at, closure_reason,
		version, last_position FROM rm_cases WHERE case_id = $1`, id).Scan(&c.ID, &c.ChildID, &c.Jurisdiction, &c.Status,
		&c.Source, &concerns, &c.Risk, &received, &c.ReceivedBy, &c.Assignee, &police, &response, &assessed, &active,
		&ground, &placement, &started, &ended, &major, &closed, &c.ClosureReason, &c.Version, &c.LastPosition)
	if errors.Is(err, sql.ErrNoRows) {
		return CaseView{}, fmt.Errorf("case %s: %w", id, ErrNoSuchRow)
	}
	if err != nil {
		return CaseView{}, fmt.Errorf("find case %s: %w", id, err)
	}
	if err := json.Unmarshal(concerns, &c.Concerns); err != nil {
		return CaseView{}, fmt.Errorf("find case %s: concerns: %w", id, err)
	}
	c.ReceivedAt = received.T
	c.PoliceReportedAt, c.FirstResponseAt, c.AssessedAt, c.ClosedAt = police.ptr(), response.ptr(), assessed.ptr(), closed.ptr()
	c.MajorIncident = major == 1
	if started.Valid {
		c.TemporaryGuardianship = &TemporaryGuardianship{Active: active == 1, Ground: ground.String, Placement: placement.String,
			StartedAt: started.T, EndedAt: ended.ptr()}
	}
	if c.Referrals, err = caseReferrals(ctx, db, id); err != nil {
		return CaseView{}, err
	}
	if c.Deadlines, err = caseDeadlines(ctx, db, id, now); err != nil {
		return CaseView{}, err
	}
	return c, nil
}

func caseReferrals(ctx context.Context, db *sql.DB, id string) ([]CaseReferral, error) {
	rows, err := db.QueryContext(ctx, `SELECT referral_id, agency, service, status, made_at, answered_at
		FROM rm_case_referrals WHERE case_id = $1 ORDER BY made_at, referral_id`, id)
	if err != nil {
		return nil, fmt.Errorf("referrals of case %s: %w", id, err)
	}
	defer rows.Close()
	out := []CaseReferral{}
	for rows.Next() {
		var r CaseReferral
		var made, answered scannedTime
		if err := rows.Scan(&r.ID, &r.Agency, &r.Service, &r.Status, &made, &answered); err != nil {
			return nil, fmt.Errorf("referrals of case %s: %w", id, err)
		}
		r.MadeAt, r.AnsweredAt = made.T, answered.ptr()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("referrals of case %s: %w", id, err)
	}
	return out, nil
}

// caseDeadlines reads the obligations of one case, in due order.
func caseDeadlines(ctx context.Context, db *sql.DB, id string, now time.Time) ([]DeadlineRow, error) {
	rows, err := db.QueryContext(ctx, `SELECT deadline_key, kind, subject_id, coalesce(case_id, ''), coalesce(referral_id, ''),
		jurisdiction, owner, owners, started_at, due_at, met_at, status, policy_version FROM rm_deadlines
		WHERE stream_id = $1 ORDER BY due_at, deadline_key`, "case-"+id)
	if err != nil {
		return nil, fmt.Errorf("deadlines of case %s: %w", id, err)
	}
	out, _, err := scanDeadlineRows(rows, DeadlineFilter{Now: now, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("deadlines of case %s: %w", id, err)
	}
	if out == nil {
		out = []DeadlineRow{}
	}
	return out, nil
}
