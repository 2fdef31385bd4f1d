package projections

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/careledger/careledger/domain"
)

// Timeline is what happened to a case or a child, one row per event of the
// case and child streams (rm_timeline), for GET /v1/cases/{id}/timeline and
// GET /v1/children/{id}/timeline. Each row keeps both times of its event, so
// a timeline can be read as the record stood at any past moment (as-of
// view: only rows with recorded_at ≤ T).
//
// A row's summary is one short Simplified-Chinese line for people, made only
// from the event's vocabulary words (zh.go), never from names, ID numbers,
// phones, addresses or free-text notes: a timeline may be read, printed and
// handed on, and it stays anonymous after a child's data is erased.
//
// A case's events carry its child's id, taken from the case's
// ReportReceived (rm_timeline_cases); the agency and service of each
// referral are kept (rm_timeline_referrals) so that its answers read well.
type Timeline struct{}

// Name implements Projection.
func (Timeline) Name() string { return "timeline" }

// Tables implements Projection.
func (Timeline) Tables() []string {
	return []string{"rm_timeline", "rm_timeline_cases", "rm_timeline_referrals"}
}

// Schema implements Projection. case_id is NULL for the events of a
// child's file.
func (Timeline) Schema() []string {
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

// Apply implements Projection.
func (Timeline) Apply(ctx context.Context, tx Tx, d Dialect, events []domain.Recorded) error {
	b, err := newTimelineBatch(ctx, tx, events)
	if err != nil {
		return err
	}
	for _, r := range events {
		if id, ok := strings.CutPrefix(r.StreamID, "case-"); ok {
			b.caseEvent(id, r)
		} else if id, ok := strings.CutPrefix(r.StreamID, "child-"); ok {
			b.row(r, nil, id, timelineSummary(r.Event, nil))
		}
	}
	return b.save(ctx, tx, d)
}

// timelineBatch folds a batch in memory: the case→child and referral
// lookups it needs are read once, new ones are kept as the batch goes, and
// the rows are written at the end — a few statements per batch.
type timelineBatch struct {
	childOf   map[string]string    // case id → child id
	referrals map[string][2]string // case id/referral id → agency, service
	newCases  [][2]string
	newRefs   [][4]string
	rows      [][]any
}

func newTimelineBatch(ctx context.Context, tx Tx, events []domain.Recorded) (*timelineBatch, error) {
	b := &timelineBatch{childOf: map[string]string{}, referrals: map[string][2]string{}}
	caseIDs := touched(events, "case-")
	for start := 0; start < len(caseIDs); start += 500 {
		in, args := inList(caseIDs[start:min(start+500, len(caseIDs))])
		rows, err := tx.QueryContext(ctx, `SELECT case_id, child_id FROM rm_timeline_cases WHERE case_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("timeline: load cases: %w", err)
		}
		for rows.Next() {
			var c, ch string
			if err := rows.Scan(&c, &ch); err != nil {
				rows.Close()
				return nil, err
			}
			b.childOf[c] = ch
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		rows, err = tx.QueryContext(ctx, `SELECT case_id, referral_id, agency, service FROM rm_timeline_referrals WHERE case_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("timeline: load referrals: %w", err)
		}
		for rows.Next() {
			var c, id, agency, service string
			if err := rows.Scan(&c, &id, &agency, &service); err != nil {
				rows.Close()
				return nil, err
			}
			b.referrals[c+"/"+id] = [2]string{agency, service}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *timelineBatch) caseEvent(caseID string, r domain.Recorded) {
	switch e := r.Event.(type) {
	case domain.ReportReceived:
		b.childOf[caseID] = e.ChildID
		b.newCases = append(b.newCases, [2]string{caseID, e.ChildID})
	case domain.ReferralMade:
		b.referrals[caseID+"/"+e.ReferralID] = [2]string{e.Agency.String(), e.Service.String()}
		b.newRefs = append(b.newRefs, [4]string{caseID, e.ReferralID, e.Agency.String(), e.Service.String()})
	}
	referral := func(id string) (agency, service string, ok bool) {
		v, ok := b.referrals[caseID+"/"+id]
		return v[0], v[1], ok
	}
	var child any
	if ch, ok := b.childOf[caseID]; ok {
		child = ch
	}
	b.row(r, caseID, child, timelineSummary(r.Event, referral))
}

func (b *timelineBatch) row(r domain.Recorded, caseID, childID any, summary string) {
	b.rows = append(b.rows, []any{r.Position, r.StreamID, caseID, childID, r.ID.String(), r.Event.EventType(),
		r.OccurredAt, r.RecordedAt, r.Actor.Subject, r.Actor.Role.String(), r.Actor.Jurisdiction.String(), summary})
}

func (b *timelineBatch) save(ctx context.Context, tx Tx, d Dialect) error {
	cases := make([][]any, len(b.newCases))
	for i, c := range b.newCases {
		cases[i] = []any{c[0], c[1]}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_timeline_cases (case_id, child_id) VALUES `, ``, cases); err != nil {
		return fmt.Errorf("timeline: save cases: %w", err)
	}
	refs := make([][]any, len(b.newRefs))
	for i, r := range b.newRefs {
		refs[i] = []any{r[0], r[1], r[2], r[3]}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_timeline_referrals (case_id, referral_id, agency, service) VALUES `, ``, refs); err != nil {
		return fmt.Errorf("timeline: save referrals: %w", err)
	}
	for _, row := range b.rows {
		row[6], row[7] = d.Time(row[6].(time.Time)), d.Time(row[7].(time.Time))
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_timeline (global_position, stream_id, case_id, child_id, event_id, type,
			occurred_at, recorded_at, actor_subject, actor_role, actor_jurisdiction, summary) VALUES `, ``, b.rows); err != nil {
		return fmt.Errorf("timeline: save rows: %w", err)
	}
	return nil
}

// timelineSummary is the line people read for an event. referral finds a
// referral's agency and service by id (nil outside a case). Only
// vocabulary words go in: never a name, a number or free text.
func timelineSummary(ev domain.Event, referral func(id string) (agency, service string, ok bool)) string {
	name := ZhEventType(ev.EventType())
	answer := func(id, verb string) string {
		if referral != nil {
			if agency, service, ok := referral(id); ok {
				return zhWord(zhAgencies, agency) + verb + "：" + zhWord(zhServices, service)
			}
		}
		return name
	}
	switch e := ev.(type) {
	case domain.ReportReceived:
		var parts []string
		if len(e.Concerns) > 0 {
			parts = append(parts, zhList(zhConcerns, termWords(e.Concerns)))
		}
		if !e.Risk.IsZero() {
			parts = append(parts, ZhRisk(e.Risk)+"风险")
		}
		s := name
		if len(parts) > 0 {
			s += "：" + strings.Join(parts, "，")
		}
		if !e.Source.IsZero() {
			s += "（" + ZhSource(e.Source) + "）"
		}
		return s
	case domain.AssessmentCompleted:
		s := name
		if !e.Risk.IsZero() {
			s += "：" + ZhRisk(e.Risk) + "风险"
		}
		if e.GuardianshipAssessment != "" {
			s += "，含监护评估"
		}
		return s
	case domain.CaseConferenceHeld:
		if len(e.Agencies) == 0 {
			return name
		}
		return name + "：" + zhList(zhAgencies, termWords(e.Agencies)) + "参加"
	case domain.ReferralMade:
		return "转介" + ZhAgency(e.Agency) + "：" + ZhService(e.Service)
	case domain.ReferralAccepted:
		return answer(e.ReferralID, "接收转介")
	case domain.ReferralDeclined:
		return answer(e.ReferralID, "拒绝转介")
	case domain.ReferralCompleted:
		return answer(e.ReferralID, "完成转介服务")
	case domain.TemporaryGuardianshipStarted:
		return name + "：" + ZhGround(e.Ground) + "，安置于" + ZhPlacement(e.Placement)
	case domain.TemporaryGuardianshipEnded:
		return name + "：" + ZhGuardianshipOutcome(e.Outcome)
	case domain.CaseClosed:
		return name + "：" + ZhClosureReason(e.Reason)
	case domain.ChildRegistered:
		s := name + "：" + zhList(zhCategories, termWords(e.Categories))
		if len(e.DifficultyReasons) > 0 {
			s += "（" + zhList(zhDifficultyReasons, termWords(e.DifficultyReasons)) + "）"
		}
		if len(e.KeyChildFlags) > 0 {
			s += "，重点儿童（" + zhList(zhKeyChildFlags, termWords(e.KeyChildFlags)) + "）"
		}
		return s
	case domain.ChildProfileUpdated:
		if fields := updatedProfileFields(e); len(fields) > 0 {
			return name + "：" + zhList(zhProfileFields, fields)
		}
		return name
	case domain.VisitRecorded:
		if len(e.Concerns) == 0 {
			return name
		}
		return name + "：关注" + zhList(zhConcerns, termWords(e.Concerns))
	case domain.GuardianshipEntrustmentConfirmed:
		if e.ParentsNotified {
			return name + "：已告知父母"
		}
		return name + "：未告知父母"
	case domain.EntryCorrected:
		return name + "：" + ZhEventType(e.CorrectedType)
	default:
		// Police report, emergency response, assignment, intervention,
		// follow-up, major incident, reopening, erasure: the event's name
		// says it; their texts (units, actions, notes, reasons) stay out.
		return name
	}
}

// updatedProfileFields names (JSON names, in file order) the fields an
// update carries.
func updatedProfileFields(e domain.ChildProfileUpdated) []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"name", e.Name != nil}, {"id_number", e.IDNumber != nil}, {"birth_date", e.BirthDate != nil},
		{"sex", e.Sex != nil}, {"jurisdiction", e.Jurisdiction != nil}, {"categories", e.Categories != nil},
		{"difficulty_reasons", e.DifficultyReasons != nil}, {"key_child_flags", e.KeyChildFlags != nil},
		{"guardian", e.Guardian != nil}, {"entrusted_guardian", e.EntrustedGuardian != nil},
		{"living_situation", e.LivingSituation != nil}, {"schooling", e.Schooling != nil},
		{"hukou_registered", e.HukouRegistered != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// TimelineActor is who caused a timeline entry.
type TimelineActor struct {
	Subject      string `json:"subject"`
	Role         string `json:"role"`
	Jurisdiction string `json:"jurisdiction"`
}

// TimelineItem is one entry of a timeline: an event of a case or a child's
// file, with both its times and a summary for people. CaseID names the case
// an entry of a child's timeline belongs to ("" for the file's own events).
type TimelineItem struct {
	Type           string        `json:"type"`
	OccurredAt     time.Time     `json:"occurred_at"`
	RecordedAt     time.Time     `json:"recorded_at"`
	Actor          TimelineActor `json:"actor"`
	GlobalPosition int64         `json:"global_position"`
	Summary        string        `json:"summary"`
	CaseID         string        `json:"case_id,omitempty"`
}

// CaseTimeline is what happened in a case, in business-time order
// (occurred_at, then log position), as the record stood at asOf: only
// entries recorded at or before it. A zero asOf gives everything recorded.
func CaseTimeline(ctx context.Context, db *sql.DB, caseID string, asOf time.Time) ([]TimelineItem, error) {
	items, err := queryTimeline(ctx, db, "case_id", caseID, asOf)
	if err != nil {
		return nil, fmt.Errorf("timeline of case %s: %w", caseID, err)
	}
	return items, nil
}

// ChildTimeline is everything that happened to a child — the file's own
// entries (registration, updates, visits, entrustment, erasure) and every
// entry of each of the child's cases — in business-time order, as the
// record stood at asOf (zero: everything recorded).
func ChildTimeline(ctx context.Context, db *sql.DB, childID string, asOf time.Time) ([]TimelineItem, error) {
	items, err := queryTimeline(ctx, db, "child_id", childID, asOf)
	if err != nil {
		return nil, fmt.Errorf("timeline of child %s: %w", childID, err)
	}
	return items, nil
}

// queryTimeline reads the rows whose column (case_id or child_id) is id.
func queryTimeline(ctx context.Context, db *sql.DB, column, id string, asOf time.Time) ([]TimelineItem, error) {
	q := `SELECT type, occurred_at, recorded_at, actor_subject, actor_role, actor_jurisdiction, global_position, summary,
		coalesce(case_id, '') FROM rm_timeline WHERE ` + column + ` = $1`
	args := []any{id}
	if !asOf.IsZero() {
		q += ` AND recorded_at <= $2`
		args = append(args, timelineDialect(db).Time(asOf))
	}
	q += ` ORDER BY occurred_at, global_position`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []TimelineItem{}
	for rows.Next() {
		var it TimelineItem
		var occurred, recorded string
		if err := rows.Scan(&it.Type, &occurred, &recorded, &it.Actor.Subject, &it.Actor.Role, &it.Actor.Jurisdiction,
			&it.GlobalPosition, &it.Summary, &it.CaseID); err != nil {
			return nil, err
		}
		if it.OccurredAt, err = timelineTime(occurred); err != nil {
			return nil, err
		}
		if it.RecordedAt, err = timelineTime(recorded); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// timelineTime reads a timestamp column scanned as text: SQLite keeps the
// Dialect.Time layout, and database/sql formats a PostgreSQL timestamptz as
// RFC 3339; both parse as RFC 3339.
func timelineTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("read timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

// timelineDialect tells the dialect of a read-model database by its driver:
// pgx's for PostgreSQL, else SQLite.
func timelineDialect(db *sql.DB) Dialect {
	if _, ok := db.Driver().(*stdlib.Driver); ok {
		return Postgres
	}
	return SQLite
}
