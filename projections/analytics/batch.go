package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// batch is the de-identified facts of the cases one batch touches, as
// loaded and then folded further, and which of them were already opened
// (their concerns are written).
type batch struct {
	cases  map[string]*domain.CaseFacts
	opened map[string]bool
}

// load reads the facts snapshots of the cases ids names; a case the read
// model does not have yet starts with no facts.
func load(ctx context.Context, tx readdb.Tx, ids []string) (*batch, error) {
	b := &batch{cases: make(map[string]*domain.CaseFacts, len(ids)), opened: map[string]bool{}}
	err := readdb.Snapshots(ctx, tx, "rm_stats_cases", "case_id", "facts", ids, func(id string, snapshot []byte) error {
		f := &domain.CaseFacts{}
		if err := f.UnmarshalBinary(snapshot); err != nil {
			return fmt.Errorf("facts of case %s: %w", id, err)
		}
		b.cases[id], b.opened[id] = f, true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load case statistics: %w", err)
	}
	return b, nil
}

// facts are the facts of case id, to apply the batch's events to.
func (b *batch) facts(id string) *domain.CaseFacts {
	f := b.cases[id]
	if f == nil {
		f = &domain.CaseFacts{}
		b.cases[id] = f
	}
	return f
}

// statsColumns are the columns of rm_stats_cases, in the order save gives
// their values.
const statsColumns = `case_id, jurisdiction, county, month, source, risk, concerns, received_at, police_reported_at,
	first_response_at, assessed_at, closed_at, first_response_us, police_report_us, assessment_us, facts`

// save writes the row of every opened case of the batch, with its facts
// de-identified again (applying an assignment names the worker), and the
// concerns of the cases the batch opened, in a stable (lock) order.
func (b *batch) save(ctx context.Context, tx readdb.Tx, d readdb.Dialect) error {
	ids := make([]string, 0, len(b.cases))
	for id, f := range b.cases {
		if f.Opened() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var fresh, stored, concerns [][]any
	for _, id := range ids {
		row, named, err := statsValues(d, id, b.cases[id].Deidentified())
		if err != nil {
			return fmt.Errorf("facts of case %s: %w", id, err)
		}
		if b.opened[id] {
			stored = append(stored, row)
		} else {
			fresh = append(fresh, row)
			var seen []string
			for _, k := range named {
				if !slices.Contains(seen, k) { // a concern named twice is one row
					seen = append(seen, k)
					concerns = append(concerns, []any{id, k})
				}
			}
		}
	}
	if err := readdb.Upsert(ctx, tx, d, `INSERT INTO rm_stats_cases (`+statsColumns+`) VALUES `, `
			ON CONFLICT (case_id) DO UPDATE SET jurisdiction = excluded.jurisdiction, county = excluded.county,
			month = excluded.month, source = excluded.source, risk = excluded.risk, concerns = excluded.concerns,
			received_at = excluded.received_at, police_reported_at = excluded.police_reported_at,
			first_response_at = excluded.first_response_at, assessed_at = excluded.assessed_at,
			closed_at = excluded.closed_at, first_response_us = excluded.first_response_us,
			police_report_us = excluded.police_report_us, assessment_us = excluded.assessment_us, facts = excluded.facts`, fresh, stored); err != nil {
		return fmt.Errorf("save case statistics: %w", err)
	}
	// Concern rows are only ever added, with their case's row: new too.
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_stats_case_concerns (case_id, concern) VALUES `,
		``, concerns); err != nil {
		return fmt.Errorf("save case concerns: %w", err)
	}
	return nil
}

// statsValues are the values of the row of case id (its stream's), in
// statsColumns' order, from its de-identified facts, and the concerns the
// report named.
func statsValues(d readdb.Dialect, id string, f domain.CaseFacts) ([]any, []string, error) {
	snapshot, err := f.MarshalBinary()
	if err != nil {
		return nil, nil, err
	}
	named := make([]string, len(f.Concerns))
	for i, k := range f.Concerns {
		named[i] = k.String()
	}
	listed, _ := json.Marshal(named) // a []string always encodes
	j := f.Jurisdiction.String()
	assessed := f.FirstAssessedAt()
	return []any{id, j, county(j), f.ReceivedAt.In(domain.ChinaStandardTime).Format("2006-01"), f.Source.String(),
		f.Risk.String(), string(listed), d.Time(f.ReceivedAt), d.TimePtr(f.PoliceReportedAt), d.TimePtr(f.FirstResponseAt),
		d.TimePtr(assessed), d.TimePtr(f.ClosedAt), micros(f.ReceivedAt, f.FirstResponseAt),
		micros(f.ReceivedAt, f.PoliceReportedAt), micros(f.ReceivedAt, assessed), snapshot}, named, nil
}

// micros binds the whole microseconds from received to t, as the
// timestamp columns keep them (nil: NULL).
func micros(received time.Time, t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Truncate(time.Microsecond).Sub(received.Truncate(time.Microsecond)).Microseconds()
}

// county is the 6-digit county prefix of a division code.
func county(j string) string {
	if len(j) > 6 {
		return j[:6]
	}
	return j
}
