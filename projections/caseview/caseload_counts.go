package caseview

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// rm_caseload holds the caseload counted ahead: for every area (every
// division a case lies in, from the whole register "" down to its village)
// and every worker, how many open cases there are, by finer status and by
// risk. A caseload is then read from the rows of one area, one a worker
// (160 for the county of 64,000 children), rather than counted over its
// open cases at every request (13,056 there; counting them took 10–44
// ms). On SQLite the rows lie in key order (WITHOUT ROWID), so an area's
// rows are read off one b-tree. One row a worker rather than one for each
// status and risk (480 rows there): the county's caseload took 1.8 ms of
// the server's CPU, three fifths of it reading rows and filling maps.
const caseloadSchema = `CREATE TABLE IF NOT EXISTS rm_caseload (
	area            TEXT NOT NULL,
	assignee        TEXT NOT NULL,
	open            {{bigint}} NOT NULL,
	assigned        {{bigint}} NOT NULL,
	in_guardianship {{bigint}} NOT NULL,
	unassigned      {{bigint}} NOT NULL,
	high            {{bigint}} NOT NULL,
	medium          {{bigint}} NOT NULL,
	low             {{bigint}} NOT NULL,
	PRIMARY KEY (area, assignee)
) {{without_rowid}}`

// loadKey is where an open case counts in rm_caseload: its place, its
// worker ("" when unassigned), finer status and risk.
type loadKey struct{ place, assignee, bucket, risk string }

// caseloadKey is where the case counts; ok is false for a case that is not
// open, which counts nowhere.
func caseloadKey(c Case) (k loadKey, ok bool) {
	if c.Status != domain.StatusOpen.String() {
		return loadKey{}, false
	}
	k = loadKey{place: c.Jurisdiction.String(), bucket: CaseloadAssigned, risk: c.Risk}
	if c.Assignee != nil {
		k.assignee = *c.Assignee
	}
	switch {
	case c.TemporaryGuardianship != nil && c.TemporaryGuardianship.Active:
		k.bucket = CaseloadInGuardianship
	case c.Assignee == nil:
		k.bucket = CaseloadUnassigned
	}
	return k, true
}

// areas are the divisions a place lies in, as rm_caseload names them: ""
// (everywhere), then its province, city, county, township and village
// codes, as far as the place's code goes.
func areas(place string) []string {
	out := []string{""}
	for _, n := range []int{2, 4, 6, 9, 12} {
		if len(place) >= n {
			out = append(out, place[:n])
		}
	}
	return out
}

// areaOf is the area a caseload query names: "" for everywhere.
func areaOf(within domain.Jurisdiction) string {
	if within.IsZero() || within == domain.All {
		return ""
	}
	return within.String()
}

// countKey is a row of rm_caseload.
type countKey struct{ area, assignee string }

// The counts of a row of rm_caseload, in the order of its columns.
const (
	countOpen = iota
	countAssigned
	countInGuardianship
	countUnassigned
	countHigh
	countMedium
	countLow
	countColumns
)

// counts are the counts of a row of rm_caseload, or changes to them.
type counts [countColumns]int64

// countsOf are the counts one open case adds to its rows.
func countsOf(k loadKey) (counts, error) {
	var c counts
	c[countOpen] = 1
	switch k.bucket {
	case CaseloadAssigned:
		c[countAssigned] = 1
	case CaseloadInGuardianship:
		c[countInGuardianship] = 1
	case CaseloadUnassigned:
		c[countUnassigned] = 1
	}
	switch k.risk {
	case domain.RiskHigh.String():
		c[countHigh] = 1
	case domain.RiskMedium.String():
		c[countMedium] = 1
	case domain.RiskLow.String():
		c[countLow] = 1
	default:
		return counts{}, fmt.Errorf("caseload: a case's risk %q has no column", k.risk)
	}
	return c, nil
}

// caseloadDeltas adds to deltas what a case's move from before to after
// changes in rm_caseload (had, has: whether it counted anywhere).
func caseloadDeltas(deltas map[countKey]*counts, before loadKey, had bool, after loadKey, has bool) error {
	if had == has && before == after {
		return nil
	}
	for _, side := range []struct {
		k    loadKey
		on   bool
		sign int64
	}{{before, had, -1}, {after, has, 1}} {
		if !side.on {
			continue
		}
		c, err := countsOf(side.k)
		if err != nil {
			return err
		}
		for _, a := range areas(side.k.place) {
			key := countKey{a, side.k.assignee}
			d := deltas[key]
			if d == nil {
				d = &counts{}
				deltas[key] = d
			}
			for i, n := range c {
				d[i] += side.sign * n
			}
		}
	}
	return nil
}

// saveCaseload applies the deltas to rm_caseload in key order (a stable
// lock order) and drops the rows whose open count falls to 0, so that the
// table holds the same rows however the log was batched.
func saveCaseload(ctx context.Context, tx readdb.Tx, d readdb.Dialect, deltas map[countKey]*counts) error {
	keys := make([]countKey, 0, len(deltas))
	for k, c := range deltas {
		if *c != (counts{}) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(x, y countKey) int {
		return strings.Compare(x.area+"\x00"+x.assignee, y.area+"\x00"+y.assignee)
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		c := deltas[k]
		rows[i] = []any{k.area, k.assignee, c[0], c[1], c[2], c[3], c[4], c[5], c[6]}
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_caseload (area, assignee, open, assigned, in_guardianship, unassigned, high, medium, low) VALUES `,
		` ON CONFLICT (area, assignee) DO UPDATE SET open = rm_caseload.open + excluded.open,
			assigned = rm_caseload.assigned + excluded.assigned, in_guardianship = rm_caseload.in_guardianship + excluded.in_guardianship,
			unassigned = rm_caseload.unassigned + excluded.unassigned, high = rm_caseload.high + excluded.high,
			medium = rm_caseload.medium + excluded.medium, low = rm_caseload.low + excluded.low`, rows); err != nil {
		return fmt.Errorf("save caseload: %w", err)
	}
	var emptied [][]any // rows whose open count may have fallen to 0
	for _, k := range keys {
		if deltas[k][countOpen] < 0 {
			emptied = append(emptied, []any{k.area, k.assignee})
		}
	}
	for _, key := range emptied {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rm_caseload WHERE area = $1 AND assignee = $2 AND open = 0`, key...); err != nil {
			return fmt.Errorf("save caseload: %w", err)
		}
	}
	return nil
}
