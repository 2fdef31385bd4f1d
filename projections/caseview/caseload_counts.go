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
// and every worker, finer status and risk, how many open cases there are.
// A caseload is then read from the rows of one area, a few hundred for a
// county, rather than counted over its open cases at every request (the
// county of 64,000 children has 13,056; counting them took 10–44 ms).
const caseloadSchema = `CREATE TABLE IF NOT EXISTS rm_caseload (
	area     TEXT NOT NULL,
	assignee TEXT NOT NULL,
	bucket   TEXT NOT NULL,
	risk     TEXT NOT NULL,
	n        {{bigint}} NOT NULL,
	PRIMARY KEY (area, assignee, bucket, risk)
)`

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
type countKey struct{ area, assignee, bucket, risk string }

// caseloadDeltas adds to deltas what a case's move from before to after
// changes in rm_caseload (had, has: whether it counted anywhere).
func caseloadDeltas(deltas map[countKey]int64, before loadKey, had bool, after loadKey, has bool) {
	if had == has && before == after {
		return
	}
	for _, side := range []struct {
		k     loadKey
		on    bool
		delta int64
	}{{before, had, -1}, {after, has, 1}} {
		if !side.on {
			continue
		}
		for _, a := range areas(side.k.place) {
			deltas[countKey{a, side.k.assignee, side.k.bucket, side.k.risk}] += side.delta
		}
	}
}

// saveCaseload applies the deltas to rm_caseload in key order (a stable
// lock order) and drops the rows that fall to 0, so that the table holds
// the same rows however the log was batched.
func saveCaseload(ctx context.Context, tx readdb.Tx, d readdb.Dialect, deltas map[countKey]int64) error {
	keys := make([]countKey, 0, len(deltas))
	for k, n := range deltas {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(x, y countKey) int {
		return strings.Compare(x.area+"\x00"+x.assignee+"\x00"+x.bucket+"\x00"+x.risk, y.area+"\x00"+y.assignee+"\x00"+y.bucket+"\x00"+y.risk)
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{k.area, k.assignee, k.bucket, k.risk, deltas[k]}
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_caseload (area, assignee, bucket, risk, n) VALUES `,
		` ON CONFLICT (area, assignee, bucket, risk) DO UPDATE SET n = rm_caseload.n + excluded.n`, rows); err != nil {
		return fmt.Errorf("save caseload: %w", err)
	}
	areasTouched := map[string]bool{}
	var list []string
	for _, k := range keys {
		if deltas[k] < 0 && !areasTouched[k.area] {
			areasTouched[k.area] = true
			list = append(list, k.area)
		}
	}
	return readdb.Chunks(list, func(piece []string) error {
		in, args := readdb.InList(piece)
		if _, err := tx.ExecContext(ctx, `DELETE FROM rm_caseload WHERE n = 0 AND area IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("save caseload: %w", err)
		}
		return nil
	})
}
