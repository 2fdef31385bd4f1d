package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Group is one group of GET /v1/stats/cases: how many cases, and the
// median (and 90th percentile) hours from receipt to the first response,
// to the report to the police and to the assessment, over the cases that
// have that moment (absent when none has). A group of fewer cases than the
// policy's min_cell is Suppressed: no count, no percentile.
type Group struct {
	Key                      string   `json:"key"`
	Count                    *int     `json:"count"`
	Suppressed               bool     `json:"suppressed,omitempty"`
	MedianFirstResponseHours *float64 `json:"median_first_response_hours,omitempty"`
	MedianPoliceReportHours  *float64 `json:"median_police_report_hours,omitempty"`
	MedianAssessmentHours    *float64 `json:"median_assessment_hours,omitempty"`
	P90FirstResponseHours    *float64 `json:"p90_first_response_hours,omitempty"`
}

// Result is the answer of GET /v1/stats/cases.
type Result struct {
	GroupBy string  `json:"group_by"`
	Groups  []Group `json:"groups"`
}

// groupColumns are the groupings Stats knows and their columns.
var groupColumns = map[string]string{
	"jurisdiction": "c.jurisdiction",
	"county":       "c.county",
	"month":        "c.month",
	"concern":      "k.concern",
	"source":       "c.source",
	"risk":         "c.risk",
}

// Groupings are the group_by values Stats accepts, in order.
func Groupings() []string {
	out := make([]string, 0, len(groupColumns))
	for k := range groupColumns {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Limits keep statistics from singling out a child: groups of fewer than
// MinCell cases are suppressed, and jurisdiction keys are cut to
// PlaceDigits (0: whole codes).
type Limits struct {
	MinCell     int
	PlaceDigits int
}

// Stats counts the cases received in [from, to) (a zero bound is open)
// within a jurisdiction (the zero one or domain.All: everywhere), grouped
// by jurisdiction, county, month, concern (a case counts once per
// concern), source or risk, groups in key order; another groupBy is a
// *domain.InvalidError. Percentiles are computed here from the fetched
// durations, so both databases give the same answer (see MedianHours and
// PercentileHours). A group of fewer than limits.MinCell cases is
// suppressed.
func Stats(ctx context.Context, db readdb.DB, groupBy string, from, to time.Time, within domain.Jurisdiction, limits Limits) (Result, error) {
	col, ok := groupColumns[groupBy]
	if !ok {
		return Result{}, &domain.InvalidError{Field: "group_by", Message: "must be one of " + strings.Join(Groupings(), ", ")}
	}
	if groupBy == "jurisdiction" && limits.PlaceDigits > 0 {
		col = "substr(" + col + ", 1, " + fmt.Sprint(limits.PlaceDigits) + ")"
	}
	q := `SELECT ` + col + `, c.first_response_us, c.police_report_us, c.assessment_us FROM rm_stats_cases c`
	if groupBy == "concern" {
		q += ` JOIN rm_stats_case_concerns k ON k.case_id = c.case_id`
	}
	var args readdb.Args
	where := []string{db.Dialect.PrefixOf(&args, "c.jurisdiction", within.String())}
	if !from.IsZero() {
		where = append(where, "c.received_at >= "+args.Arg(db.Dialect.Time(from)))
	}
	if !to.IsZero() {
		where = append(where, "c.received_at < "+args.Arg(db.Dialect.Time(to)))
	}
	rows, err := db.SQL.QueryContext(ctx, q+` WHERE `+strings.Join(where, " AND "), args...)
	if err != nil {
		return Result{}, fmt.Errorf("case stats: %w", err)
	}
	defer rows.Close()
	type samples struct {
		count                      int
		response, police, assessed []time.Duration
	}
	groups := map[string]*samples{}
	for rows.Next() {
		var key sql.RawBytes // valid until Next: a new group copies it
		var response, police, assessed sql.NullInt64
		if err := rows.Scan(&key, &response, &police, &assessed); err != nil {
			return Result{}, fmt.Errorf("case stats: %w", err)
		}
		g := groups[string(key)]
		if g == nil {
			g = &samples{}
			groups[string(key)] = g
		}
		g.count++
		if response.Valid {
			g.response = append(g.response, time.Duration(response.Int64)*time.Microsecond)
		}
		if police.Valid {
			g.police = append(g.police, time.Duration(police.Int64)*time.Microsecond)
		}
		if assessed.Valid {
			g.assessed = append(g.assessed, time.Duration(assessed.Int64)*time.Microsecond)
		}
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("case stats: %w", err)
	}
	out := Result{GroupBy: groupBy, Groups: make([]Group, 0, len(groups))}
	for key, g := range groups {
		if g.count < limits.MinCell {
			out.Groups = append(out.Groups, Group{Key: key, Suppressed: true})
			continue
		}
		count := g.count
		out.Groups = append(out.Groups, Group{
			Key: key, Count: &count,
			MedianFirstResponseHours: MedianHours(g.response),
			MedianPoliceReportHours:  MedianHours(g.police),
			MedianAssessmentHours:    MedianHours(g.assessed),
			P90FirstResponseHours:    PercentileHours(g.response, 90),
		})
	}
	sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].Key < out.Groups[j].Key })
	return out, nil
}
