package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/careledger/careledger/domain"
)

// Cases is the case view: one row per case with what GET /v1/cases/{id}
// shows (rm_cases), and one per referral (rm_case_referrals).
type Cases struct{}

// Name implements Projection.
func (Cases) Name() string { return "cases" }

// Tables implements Projection.
func (Cases) Tables() []string { return []string{"rm_cases", "rm_case_referrals"} }

// Schema implements Projection.
func (Cases) Schema() []string {
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
	last_position           {{bigint}} NOT NULL
)`, `CREATE INDEX IF NOT EXISTS rm_cases_jurisdiction ON rm_cases (jurisdiction)`,
		`CREATE INDEX IF NOT EXISTS rm_cases_assignee ON rm_cases (assignee)`,
		`CREATE TABLE IF NOT EXISTS rm_case_referrals (
	case_id     TEXT NOT NULL,
	referral_id TEXT NOT NULL,
	agency      TEXT NOT NULL,
	service     TEXT NOT NULL,
	status      TEXT NOT NULL,
	made_at     {{ts}} NOT NULL,
	answered_at {{ts}},
	PRIMARY KEY (case_id, referral_id)
)`}
}

// Apply implements Projection.
func (Cases) Apply(ctx context.Context, tx *sql.Tx, d Dialect, events []domain.Recorded) error {
	for _, r := range events {
		id, ok := strings.CutPrefix(r.StreamID, "case-")
		if !ok {
			continue
		}
		if err := applyCase(ctx, tx, d, id, r); err != nil {
			return fmt.Errorf("case %s event %d (%s): %w", id, r.Version, r.Event.EventType(), err)
		}
	}
	return nil
}

func applyCase(ctx context.Context, tx *sql.Tx, d Dialect, id string, r domain.Recorded) error {
	at := d.Time(r.OccurredAt)
	set := func(assignments string, args ...any) error {
		args = append([]any{id, r.Version, r.Position}, args...)
		_, err := tx.ExecContext(ctx, `UPDATE rm_cases SET version = $2, last_position = $3`+assignments+` WHERE case_id = $1`, args...)
		return err
	}
	referral := func(referralID, status string, answered bool) error {
		q := `UPDATE rm_case_referrals SET status = $3 WHERE case_id = $1 AND referral_id = $2`
		args := []any{id, referralID, status}
		if answered {
			q = `UPDATE rm_case_referrals SET status = $3, answered_at = $4 WHERE case_id = $1 AND referral_id = $2`
			args = append(args, at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		return set("")
	}
	switch e := r.Event.(type) {
	case domain.ReportReceived:
		concerns, err := json.Marshal(e.Concerns)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rm_cases (case_id, child_id, jurisdiction, status, source, concerns, risk,
			received_at, received_by, version, last_position) VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10)`,
			id, e.ChildID, e.Jurisdiction.String(), e.Source.String(), string(concerns), e.Risk.String(), at, r.Actor.Subject, r.Version, r.Position)
		return err
	case domain.ReportForwardedToPolice:
		return set(`, police_reported_at = coalesce(police_reported_at, $4)`, at)
	case domain.EmergencyResponseRecorded, domain.FollowUpRecorded:
		return set(`, first_response_at = coalesce(first_response_at, $4)`, at)
	case domain.CaseAssigned:
		return set(`, assignee = $4`, e.WorkerID)
	case domain.AssessmentCompleted:
		return set(`, risk = $4, assessed_at = coalesce(assessed_at, $5), first_response_at = coalesce(first_response_at, $5)`, e.Risk.String(), at)
	case domain.ReferralMade:
		if _, err := tx.ExecContext(ctx, `INSERT INTO rm_case_referrals (case_id, referral_id, agency, service, status, made_at)
			VALUES ($1, $2, $3, $4, 'pending', $5)`, id, e.ReferralID, e.Agency.String(), e.Service.String(), at); err != nil {
			return err
		}
		return set("")
	case domain.ReferralAccepted:
		return referral(e.ReferralID, "accepted", true)
	case domain.ReferralDeclined:
		return referral(e.ReferralID, "declined", true)
	case domain.ReferralCompleted:
		return referral(e.ReferralID, "completed", false)
	case domain.TemporaryGuardianshipStarted:
		return set(`, guardianship_active = 1, guardianship_ground = $4, guardianship_placement = $5,
			guardianship_started_at = $6, guardianship_ended_at = NULL`, e.Ground.String(), e.Placement.String(), at)
	case domain.TemporaryGuardianshipEnded:
		return set(`, guardianship_active = 0, guardianship_ended_at = $4`, at)
	case domain.MajorIncidentDeclared:
		return set(`, major_incident = 1`)
	case domain.CaseClosed:
		return set(`, status = 'closed', closed_at = $4, closure_reason = $5`, at, e.Reason.String())
	case domain.CaseReopened:
		return set(`, status = 'open', closed_at = NULL, closure_reason = NULL`)
	default:
		return set("")
	}
}
