package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

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

// caseRow is one row of rm_cases, folded in memory.
type caseRow struct {
	id, childID, jurisdiction, status, source, concerns, risk string
	receivedAt                                                time.Time
	receivedBy                                                string
	assignee                                                  *string
	policeReportedAt, firstResponseAt, assessedAt             *time.Time
	guardianshipActive                                        bool
	ground, placement                                         *string
	guardianshipStarted, guardianshipEnded                    *time.Time
	majorIncident                                             bool
	closedAt                                                  *time.Time
	closureReason                                             *string
	version, lastPosition                                     int64
}

type referralRow struct {
	caseID, id, agency, service, status string
	madeAt                              time.Time
	answeredAt                          *time.Time
}

const caseColumns = `case_id, child_id, jurisdiction, status, source, concerns, risk, received_at, received_by, assignee,
	police_reported_at, first_response_at, assessed_at, guardianship_active, guardianship_ground, guardianship_placement,
	guardianship_started_at, guardianship_ended_at, major_incident, closed_at, closure_reason, version, last_position`

// Apply implements Projection: it reads the rows of the cases the batch
// touches, folds the events into them in memory, and writes each changed
// row once — a few statements per batch, not one per event.
func (Cases) Apply(ctx context.Context, tx Tx, d Dialect, events []domain.Recorded) error {
	ids := touched(events, "case-")
	if len(ids) == 0 {
		return nil
	}
	rows, refs, err := loadCases(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, r := range events {
		id, ok := strings.CutPrefix(r.StreamID, "case-")
		if !ok {
			continue
		}
		if err := foldCase(rows, refs, id, r); err != nil {
			return fmt.Errorf("case %s event %d (%s): %w", id, r.Version, r.Event.EventType(), err)
		}
	}
	return saveCases(ctx, tx, d, rows, refs)
}

func loadCases(ctx context.Context, tx Tx, ids []string) (map[string]*caseRow, map[string]*referralRow, error) {
	rows := map[string]*caseRow{}
	refs := map[string]*referralRow{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		in, args := inList(chunk)
		q, err := tx.QueryContext(ctx, `SELECT `+caseColumns+` FROM rm_cases WHERE case_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("load cases: %w", err)
		}
		for q.Next() {
			c := &caseRow{}
			var active, major int
			var received, police, response, assessed, started, ended, closed scannedTime
			if err := q.Scan(&c.id, &c.childID, &c.jurisdiction, &c.status, &c.source, &c.concerns, &c.risk,
				&received, &c.receivedBy, &c.assignee, &police, &response, &assessed, &active, &c.ground, &c.placement,
				&started, &ended, &major, &closed, &c.closureReason, &c.version, &c.lastPosition); err != nil {
				q.Close()
				return nil, nil, fmt.Errorf("load cases: %w", err)
			}
			c.guardianshipActive, c.majorIncident = active == 1, major == 1
			c.receivedAt = received.T
			c.policeReportedAt, c.firstResponseAt, c.assessedAt = police.ptr(), response.ptr(), assessed.ptr()
			c.guardianshipStarted, c.guardianshipEnded, c.closedAt = started.ptr(), ended.ptr(), closed.ptr()
			rows[c.id] = c
		}
		q.Close()
		if err := q.Err(); err != nil {
			return nil, nil, fmt.Errorf("load cases: %w", err)
		}
		q, err = tx.QueryContext(ctx, `SELECT case_id, referral_id, agency, service, status, made_at, answered_at
			FROM rm_case_referrals WHERE case_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("load referrals: %w", err)
		}
		for q.Next() {
			r := &referralRow{}
			var made, answered scannedTime
			if err := q.Scan(&r.caseID, &r.id, &r.agency, &r.service, &r.status, &made, &answered); err != nil {
				q.Close()
				return nil, nil, fmt.Errorf("load referrals: %w", err)
			}
			r.madeAt, r.answeredAt = made.T, answered.ptr()
			refs[r.caseID+"/"+r.id] = r
		}
		q.Close()
		if err := q.Err(); err != nil {
			return nil, nil, fmt.Errorf("load referrals: %w", err)
		}
	}
	return rows, refs, nil
}

func inList(values []string) (string, []any) {
	var b strings.Builder
	args := make([]any, len(values))
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i+1)
		args[i] = v
	}
	return b.String(), args
}

func foldCase(rows map[string]*caseRow, refs map[string]*referralRow, id string, r domain.Recorded) error {
	at := r.OccurredAt.UTC()
	c := rows[id]
	if e, ok := r.Event.(domain.ReportReceived); ok {
		if c != nil {
			return fmt.Errorf("the case view already has case %s", id)
		}
		concerns, err := json.Marshal(e.Concerns)
		if err != nil {
			return err
		}
		c = &caseRow{id: id, childID: e.ChildID, jurisdiction: e.Jurisdiction.String(), status: "open", source: e.Source.String(),
			concerns: string(concerns), risk: e.Risk.String(), receivedAt: at, receivedBy: r.Actor.Subject}
		rows[id] = c
	}
	if c == nil {
		return fmt.Errorf("no report opened case %s", id)
	}
	c.version, c.lastPosition = r.Version, r.Position
	first := func(p **time.Time) {
		if *p == nil {
			t := at
			*p = &t
		}
	}
	str := func(s string) *string { return &s }
	answer := func(referralID, status string, answered bool) error {
		ref := refs[id+"/"+referralID]
		if ref == nil {
			return fmt.Errorf("no referral %s", referralID)
		}
		ref.status = status
		if answered {
			t := at
			ref.answeredAt = &t
		}
		return nil
	}
	switch e := r.Event.(type) {
	case domain.ReportForwardedToPolice:
		first(&c.policeReportedAt)
	case domain.EmergencyResponseRecorded, domain.FollowUpRecorded:
		first(&c.firstResponseAt)
	case domain.CaseAssigned:
		c.assignee = str(e.WorkerID)
	case domain.AssessmentCompleted:
		c.risk = e.Risk.String()
		first(&c.assessedAt)
		first(&c.firstResponseAt)
	case domain.ReferralMade:
		refs[id+"/"+e.ReferralID] = &referralRow{caseID: id, id: e.ReferralID, agency: e.Agency.String(), service: e.Service.String(), status: "pending", madeAt: at}
	case domain.ReferralAccepted:
		return answer(e.ReferralID, "accepted", true)
	case domain.ReferralDeclined:
		return answer(e.ReferralID, "declined", true)
	case domain.ReferralCompleted:
		return answer(e.ReferralID, "completed", false)
	case domain.TemporaryGuardianshipStarted:
		t := at
		c.guardianshipActive, c.ground, c.placement, c.guardianshipStarted, c.guardianshipEnded = true, str(e.Ground.String()), str(e.Placement.String()), &t, nil
	case domain.TemporaryGuardianshipEnded:
		t := at
		c.guardianshipActive, c.guardianshipEnded = false, &t
	case domain.MajorIncidentDeclared:
		c.majorIncident = true
	case domain.CaseClosed:
		t := at
		c.status, c.closedAt, c.closureReason = "closed", &t, str(e.Reason.String())
	case domain.CaseReopened:
		c.status, c.closedAt, c.closureReason = "open", nil, nil
	}
	return nil
}

func saveCases(ctx context.Context, tx Tx, d Dialect, rows map[string]*caseRow, refs map[string]*referralRow) error {
	all := make([]*caseRow, 0, len(rows))
	for _, c := range rows {
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id }) // a stable lock order
	values := make([][]any, len(all))
	for i, c := range all {
		values[i] = []any{c.id, c.childID, c.jurisdiction, c.status, c.source, c.concerns, c.risk, d.Time(c.receivedAt),
			c.receivedBy, c.assignee, d.timeArg(c.policeReportedAt), d.timeArg(c.firstResponseAt), d.timeArg(c.assessedAt),
			boolInt(c.guardianshipActive), c.ground, c.placement, d.timeArg(c.guardianshipStarted), d.timeArg(c.guardianshipEnded),
			boolInt(c.majorIncident), d.timeArg(c.closedAt), c.closureReason, c.version, c.lastPosition}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_cases (`+caseColumns+`) VALUES `, `
			ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, risk = excluded.risk, assignee = excluded.assignee,
			police_reported_at = excluded.police_reported_at, first_response_at = excluded.first_response_at,
			assessed_at = excluded.assessed_at, guardianship_active = excluded.guardianship_active,
			guardianship_ground = excluded.guardianship_ground, guardianship_placement = excluded.guardianship_placement,
			guardianship_started_at = excluded.guardianship_started_at, guardianship_ended_at = excluded.guardianship_ended_at,
			major_incident = excluded.major_incident, closed_at = excluded.closed_at, closure_reason = excluded.closure_reason,
			version = excluded.version, last_position = excluded.last_position`, values); err != nil {
		return fmt.Errorf("save cases: %w", err)
	}
	allRefs := make([]*referralRow, 0, len(refs))
	for _, r := range refs {
		allRefs = append(allRefs, r)
	}
	sort.Slice(allRefs, func(i, j int) bool {
		return allRefs[i].caseID+"/"+allRefs[i].id < allRefs[j].caseID+"/"+allRefs[j].id
	})
	refRows := make([][]any, len(allRefs))
	for i, r := range allRefs {
		refRows[i] = []any{r.caseID, r.id, r.agency, r.service, r.status, d.Time(r.madeAt), d.timeArg(r.answeredAt)}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_case_referrals (case_id, referral_id, agency, service, status, made_at, answered_at) VALUES `,
		` ON CONFLICT (case_id, referral_id) DO UPDATE SET status = excluded.status, answered_at = excluded.answered_at`, refRows); err != nil {
		return fmt.Errorf("save referrals: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
