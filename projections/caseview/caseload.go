package caseview

import (
	"context"
	"fmt"
	"sort"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// CaseloadItem is one worker's open cases (GET /v1/caseload): how many, and
// how they divide by status and by risk.
//
// ByStatus divides the open cases by a finer status derived from the case
// view, each case counted once:
//   - "in_guardianship": temporary guardianship is active (whoever is assigned);
//   - "assigned": a caseworker is responsible, no temporary guardianship;
//   - "unassigned": no caseworker yet (these are listed under WorkerID "").
//
// Closed cases are not counted anywhere. ByRisk divides the open cases by
// their latest risk ("high", "medium", "low"). Both maps always carry every
// key, with 0 where no case falls.
type CaseloadItem struct {
	WorkerID string         `json:"worker_id"`
	Open     int            `json:"open"`
	ByStatus map[string]int `json:"by_status"`
	ByRisk   map[string]int `json:"by_risk"`
}

// The finer statuses of CaseloadItem.ByStatus.
const (
	CaseloadUnassigned     = "unassigned"
	CaseloadAssigned       = "assigned"
	CaseloadInGuardianship = "in_guardianship"
)

// Caseload is the open cases per worker, as counted ahead in rm_caseload
// (caseload_counts.go). within is where the cases lie: the zero
// jurisdiction or domain.All covers every case, a division code the cases
// whose jurisdiction starts with it. workerID "" lists every worker, the
// unassigned cases under worker "" included; otherwise only that worker's
// cases. Items are in worker id order; workers without open cases are not
// listed.
func Caseload(ctx context.Context, db readdb.DB, within domain.Jurisdiction, workerID string) ([]CaseloadItem, error) {
	var args readdb.Args
	q := `SELECT assignee, bucket, risk, n FROM rm_caseload WHERE area = ` + args.Arg(areaOf(within)) + ` AND n > 0`
	if workerID != "" {
		q += ` AND assignee = ` + args.Arg(workerID)
	}
	rows, err := db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	defer rows.Close()
	byWorker := map[string]*CaseloadItem{}
	for rows.Next() {
		var worker, status, risk string
		var n int
		if err := rows.Scan(&worker, &status, &risk, &n); err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		item := byWorker[worker]
		if item == nil {
			item = &CaseloadItem{WorkerID: worker, ByStatus: map[string]int{}, ByRisk: map[string]int{}}
			for _, s := range []string{CaseloadUnassigned, CaseloadAssigned, CaseloadInGuardianship} {
				item.ByStatus[s] = 0
			}
			for _, r := range domain.Words[domain.Risk]() {
				item.ByRisk[r] = 0
			}
			byWorker[worker] = item
		}
		item.Open += n
		item.ByStatus[status] += n
		item.ByRisk[risk] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	out := make([]CaseloadItem, 0, len(byWorker))
	for _, item := range byWorker {
		out = append(out, *item)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].WorkerID < out[j].WorkerID })
	return out, nil
}
