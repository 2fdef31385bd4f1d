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

// Apply implements Projection.
func (Analytics) Apply(ctx context.Context, tx *sql.Tx, d Dialect, events []domain.Recorded) error {
	for _, r := range events {
		id, ok := strings.CutPrefix(r.StreamID, "case-")
		if !ok {
			continue
		}
		if err := applyCaseStats(ctx, tx, d, id, r); err != nil {
			return fmt.Errorf("case %s event %d (%s): %w", id, r.Version, r.Event.EventType(), err)
		}
	}
	return nil
}

// earliest sets a timestamp column to the earlier of its value and $2.
func earliest(col string) string {
	return col + ` = CASE WHEN ` + col + ` IS NULL OR ` + col + ` > $2 THEN $2 ELSE ` + col + ` END`
}

func applyCaseStats(ctx context.Context, tx *sql.Tx, d Dialect, id string, r domain.Recorded) error {
	at := d.Time(r.OccurredAt)
	set := func(assignments string, args ...any) error {
		_, err := tx.ExecContext(ctx, `UPDATE rm_stats_cases SET `+assignments+` WHERE case_id = $1`, append([]any{id}, args...)...)
		return err
	}
	switch e := r.Event.(type) {
	case domain.ReportReceived:
		concerns := make([]string, len(e.Concerns))
		for i, c := range e.Concerns {
			concerns[i] = c.String()
		}
		js, err := json.Marshal(concerns)
		if err != nil {
			return err
		}
		// A stream holds one report; a second one changes nothing, as in
		// the domain.
		res, err := tx.ExecContext(ctx, `INSERT INTO rm_stats_cases (case_id, jurisdiction, county, month, source, risk,
			concerns, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (case_id) DO NOTHING`,
			id, e.Jurisdiction.String(), statsCounty(e.Jurisdiction.String()),
			r.OccurredAt.In(domain.ChinaStandardTime).Format("2006-01"), e.Source.String(), e.Risk.String(), string(js), at)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		for _, c := range concerns {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rm_stats_case_concerns (case_id, concern) VALUES ($1, $2)
				ON CONFLICT (case_id, concern) DO NOTHING`, id, c); err != nil {
				return err
			}
		}
		return nil
	case domain.ReportForwardedToPolice:
		return set(earliest("police_reported_at"), at)
	case domain.EmergencyResponseRecorded, domain.FollowUpRecorded:
		return set(earliest("first_response_at"), at)
	case domain.AssessmentCompleted:
		if err := set(earliest("assessed_at")+", "+earliest("first_response_at"), at); err != nil {
			return err
		}
		if !e.Risk.IsZero() {
			return set(`risk = $2`, e.Risk.String())
		}
		return nil
	case domain.CaseClosed:
		return set(`closed_at = $2`, at)
	case domain.CaseReopened:
		return set(`closed_at = NULL`)
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
