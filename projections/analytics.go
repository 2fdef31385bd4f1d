package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
)

// Analytics is the de-identified case statistics behind GET /v1/stats/cases:
// one row per case with where (jurisdiction, county), when (month of
// receipt, China Standard Time), what (source, risk, concerns) and the
// moments its response times are measured by (rm_stats_cases), and one row
// per case and concern for grouping (rm_stats_case_concerns). No name, ID
// number, address, phone, child id or free text reaches these tables; the
// case id is only a key.
type Analytics struct{}

// Name implements Projection.
func (Analytics) Name() string { return "analytics" }

// Tables implements Projection.
func (Analytics) Tables() []string { return []string{"rm_stats_cases", "rm_stats_case_concerns"} }

// Schema implements Projection.
func (Analytics) Schema() []string {
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
	closed_at          {{ts}}
)`, `CREATE INDEX IF NOT EXISTS rm_stats_cases_received ON rm_stats_cases (received_at)`,
		`CREATE INDEX IF NOT EXISTS rm_stats_cases_jurisdiction ON rm_stats_cases (jurisdiction)`,
		`CREATE TABLE IF NOT EXISTS rm_stats_case_concerns (
	case_id TEXT NOT NULL,
	concern TEXT NOT NULL,
	PRIMARY KEY (case_id, concern)
)`}
}

// statsRow is one row of rm_stats_cases, folded in memory.
type statsRow struct {
	id, jurisdiction, county, month, source, risk, concerns string
	receivedAt                                              time.Time
	policeReportedAt, firstResponseAt, assessedAt, closedAt *time.Time
	changed                                                 bool
}

const statsColumns = `case_id, jurisdiction, county, month, source, risk, concerns, received_at, police_reported_at,
	first_response_at, assessed_at, closed_at`

// statsBatch is a batch folded in memory: the rows of the cases it
// touches, and the concern rows of the reports it adds.
type statsBatch struct {
	rows     map[string]*statsRow
	concerns [][2]string // case id, concern
}

// Apply implements Projection: it reads the rows of the cases the batch
// touches, folds the events into them in memory, and writes each changed
// row once — a few statements per batch, not one per event.
func (Analytics) Apply(ctx context.Context, tx Tx, d Dialect, events []domain.Recorded) error {
	ids := touched(events, "case-")
	if len(ids) == 0 {
		return nil
	}
	b := &statsBatch{rows: map[string]*statsRow{}}
	if err := b.load(ctx, tx, ids); err != nil {
		return err
	}
	for _, r := range events {
		id, ok := strings.CutPrefix(r.StreamID, "case-")
		if !ok {
			continue
		}
		if err := b.fold(id, r); err != nil {
			return fmt.Errorf("case %s event %d (%s): %w", id, r.Version, r.Event.EventType(), err)
		}
	}
	return b.save(ctx, tx, d)
}

func (b *statsBatch) load(ctx context.Context, tx Tx, ids []string) error {
	for start := 0; start < len(ids); start += 500 {
		in, args := inList(ids[start:min(start+500, len(ids))])
		q, err := tx.QueryContext(ctx, `SELECT `+statsColumns+` FROM rm_stats_cases WHERE case_id IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("load case stats: %w", err)
		}
		for q.Next() {
			c := &statsRow{}
			var received, police, response, assessed, closed scannedTime
			if err := q.Scan(&c.id, &c.jurisdiction, &c.county, &c.month, &c.source, &c.risk, &c.concerns,
				&received, &police, &response, &assessed, &closed); err != nil {
				q.Close()
				return fmt.Errorf("load case stats: %w", err)
			}
			c.receivedAt = received.T
			c.policeReportedAt, c.firstResponseAt, c.assessedAt, c.closedAt = police.ptr(), response.ptr(), assessed.ptr(), closed.ptr()
			b.rows[c.id] = c
		}
		q.Close()
		if err := q.Err(); err != nil {
			return fmt.Errorf("load case stats: %w", err)
		}
	}
	return nil
}

// fold applies one event of a case's stream to its row. Events of a case
// the view does not have change nothing.
func (b *statsBatch) fold(id string, r domain.Recorded) error {
	at := r.OccurredAt.UTC()
	c := b.rows[id]
	if e, ok := r.Event.(domain.ReportReceived); ok {
		// A stream holds one report; a second one changes nothing, as in
		// the domain.
		if c != nil {
			return nil
		}
		concerns := make([]string, len(e.Concerns))
		for i, k := range e.Concerns {
			concerns[i] = k.String()
		}
		js, err := json.Marshal(concerns)
		if err != nil {
			return err
		}
		b.rows[id] = &statsRow{id: id, jurisdiction: e.Jurisdiction.String(), county: statsCounty(e.Jurisdiction.String()),
			month: r.OccurredAt.In(domain.ChinaStandardTime).Format("2006-01"), source: e.Source.String(),
			risk: e.Risk.String(), concerns: string(js), receivedAt: at, changed: true}
		for _, k := range concerns {
			b.concerns = append(b.concerns, [2]string{id, k})
		}
		return nil
	}
	if c == nil {
		return nil
	}
	// earliest keeps the earlier of a moment and this event's time.
	earliest := func(p **time.Time) {
		if *p == nil || (*p).After(at) {
			t := at
			*p = &t
			c.changed = true
		}
	}
	switch e := r.Event.(type) {
	case domain.ReportForwardedToPolice:
		earliest(&c.policeReportedAt)
	case domain.EmergencyResponseRecorded, domain.FollowUpRecorded:
		earliest(&c.firstResponseAt)
	case domain.AssessmentCompleted:
		earliest(&c.assessedAt)
		earliest(&c.firstResponseAt)
		if !e.Risk.IsZero() {
			c.risk, c.changed = e.Risk.String(), true
		}
	case domain.CaseClosed:
		t := at
		c.closedAt, c.changed = &t, true
	case domain.CaseReopened:
		c.closedAt, c.changed = nil, true
	}
	return nil
}

func (b *statsBatch) save(ctx context.Context, tx Tx, d Dialect) error {
	all := make([]*statsRow, 0, len(b.rows))
	for _, c := range b.rows {
		if c.changed {
			all = append(all, c)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id }) // a stable lock order
	values := make([][]any, len(all))
	for i, c := range all {
		values[i] = []any{c.id, c.jurisdiction, c.county, c.month, c.source, c.risk, c.concerns, d.Time(c.receivedAt),
			d.timeArg(c.policeReportedAt), d.timeArg(c.firstResponseAt), d.timeArg(c.assessedAt), d.timeArg(c.closedAt)}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_stats_cases (`+statsColumns+`) VALUES `, `
			ON CONFLICT (case_id) DO UPDATE SET jurisdiction = excluded.jurisdiction, county = excluded.county,
			month = excluded.month, source = excluded.source, risk = excluded.risk, concerns = excluded.concerns,
			received_at = excluded.received_at, police_reported_at = excluded.police_reported_at,
			first_response_at = excluded.first_response_at, assessed_at = excluded.assessed_at,
			closed_at = excluded.closed_at`, values); err != nil {
		return fmt.Errorf("save case stats: %w", err)
	}
	// Concern rows are only ever added, with their report; a concern named
	// twice in one report is one row.
	seen := make(map[[2]string]bool, len(b.concerns))
	concerns := b.concerns[:0]
	for _, k := range b.concerns {
		if !seen[k] {
			seen[k] = true
			concerns = append(concerns, k)
		}
	}
	concernRows := make([][]any, len(concerns))
	for i, k := range concerns {
		concernRows[i] = []any{k[0], k[1]}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_stats_case_concerns (case_id, concern) VALUES `,
		` ON CONFLICT (case_id, concern) DO NOTHING`, concernRows); err != nil {
		return fmt.Errorf("save case concerns: %w", err)
	}
	return nil
}

func statsCounty(j string) string {
	if len(j) > 6 {
		return j[:6]
	}
	return j
}

// StatsGroup is one group of GET /v1/stats/cases: how many cases, and the
// median (and 90th percentile) hours from receipt to the first response,
// to the report to the police and to the assessment, over the cases that
// have that moment (absent when none has).
type StatsGroup struct {
	Key                      string   `json:"key"`
	Count                    int      `json:"count"`
	MedianFirstResponseHours *float64 `json:"median_first_response_hours,omitempty"`
	MedianPoliceReportHours  *float64 `json:"median_police_report_hours,omitempty"`
	MedianAssessmentHours    *float64 `json:"median_assessment_hours,omitempty"`
	P90FirstResponseHours    *float64 `json:"p90_first_response_hours,omitempty"`
}

// StatsResult is the answer of GET /v1/stats/cases.
type StatsResult struct {
	GroupBy string       `json:"group_by"`
	Groups  []StatsGroup `json:"groups"`
}

// statsGroupColumns are the groupings CaseStats knows and their columns.
var statsGroupColumns = map[string]string{
	"jurisdiction": "c.jurisdiction",
	"county":       "c.county",
	"month":        "c.month",
	"concern":      "k.concern",
	"source":       "c.source",
	"risk":         "c.risk",
}

// StatsGroupings are the group_by values CaseStats accepts.
func StatsGroupings() []string {
	out := make([]string, 0, len(statsGroupColumns))
	for k := range statsGroupColumns {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// CaseStats counts the cases received in [from, to) (a zero bound is open)
// within jurisdictionPrefix ("" or "all": everywhere), grouped by
// jurisdiction, county, month, concern (a case counts once per concern),
// source or risk, groups in key order. Percentiles are computed here from
// the fetched durations, so both databases give the same answer: the
// median of an even count is the mean of the two middle values, the 90th
// percentile is the nearest rank.
func CaseStats(ctx context.Context, db *sql.DB, d Dialect, groupBy string, from, to time.Time, jurisdictionPrefix string) (StatsResult, error) {
	col, ok := statsGroupColumns[groupBy]
	if !ok {
		return StatsResult{}, &domain.InvalidError{Field: "group_by", Message: "must be one of " + strings.Join(StatsGroupings(), ", ")}
	}
	q := `SELECT ` + col + `, c.received_at, c.first_response_at, c.police_reported_at, c.assessed_at FROM rm_stats_cases c`
	if groupBy == "concern" {
		q += ` JOIN rm_stats_case_concerns k ON k.case_id = c.case_id`
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !from.IsZero() {
		where = append(where, "c.received_at >= "+arg(d.Time(from)))
	}
	if !to.IsZero() {
		where = append(where, "c.received_at < "+arg(d.Time(to)))
	}
	if p := jurisdictionPrefix; p != "" && p != domain.All.String() {
		where = append(where, "substr(c.jurisdiction, 1, "+arg(len(p))+") = "+arg(p))
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return StatsResult{}, fmt.Errorf("case stats: %w", err)
	}
	defer rows.Close()
	type samples struct {
		count                      int
		response, police, assessed []time.Duration
	}
	groups := map[string]*samples{}
	for rows.Next() {
		var key string
		var received, response, police, assessed scannedTime
		if err := rows.Scan(&key, &received, &response, &police, &assessed); err != nil {
			return StatsResult{}, fmt.Errorf("case stats: %w", err)
		}
		g := groups[key]
		if g == nil {
			g = &samples{}
			groups[key] = g
		}
		g.count++
		if response.Valid {
			g.response = append(g.response, response.T.Sub(received.T))
		}
		if police.Valid {
			g.police = append(g.police, police.T.Sub(received.T))
		}
		if assessed.Valid {
			g.assessed = append(g.assessed, assessed.T.Sub(received.T))
		}
	}
	if err := rows.Err(); err != nil {
		return StatsResult{}, fmt.Errorf("case stats: %w", err)
	}
	out := StatsResult{GroupBy: groupBy, Groups: make([]StatsGroup, 0, len(groups))}
	for key, g := range groups {
		out.Groups = append(out.Groups, StatsGroup{
			Key: key, Count: g.count,
			MedianFirstResponseHours: MedianHours(g.response),
			MedianPoliceReportHours:  MedianHours(g.police),
			MedianAssessmentHours:    MedianHours(g.assessed),
			P90FirstResponseHours:    PercentileHours(g.response, 90),
		})
	}
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	return out, nil
}

// MedianHours is the median of ds in hours (the mean of the two middle
// values for an even count); nil for none.
func MedianHours(ds []time.Duration) *float64 {
	if len(ds) == 0 {
		return nil
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	h := s[n/2].Hours()
	if n%2 == 0 {
		h = (s[n/2-1].Hours() + s[n/2].Hours()) / 2
	}
	return &h
}

// PercentileHours is the p-th percentile of ds in hours by nearest rank
// (the smallest value with at least p% of the values at or below it); nil
// for none.
func PercentileHours(ds []time.Duration, p float64) *float64 {
	if len(ds) == 0 {
		return nil
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	h := s[rank-1].Hours()
	return &h
}
