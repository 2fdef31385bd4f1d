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
// their latest risk ("high", "medium", "low"). Both always carry every
// key, with 0 where no case falls.
type CaseloadItem struct {
	WorkerID string       `json:"worker_id"`
	Open     int          `json:"open"`
	ByStatus StatusCounts `json:"by_status"`
	ByRisk   RiskCounts   `json:"by_risk"`
}

// StatusCounts divide a worker's open cases by finer status. The fields
// are in the order of their JSON names, as the keys were when this was a
// map: plain fields are written without reflecting on a map's keys and
// sorting them, which took a sixth of a county caseload's time.
type StatusCounts struct {
	Assigned       int `json:"assigned"`
	InGuardianship int `json:"in_guardianship"`
	Unassigned     int `json:"unassigned"`
}

// RiskCounts divide a worker's open cases by risk.
type RiskCounts struct {
	High   int `json:"high"`
	Low    int `json:"low"`
	Medium int `json:"medium"`
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
	q := `SELECT assignee, open, assigned, in_guardianship, unassigned, high, medium, low FROM rm_caseload
		WHERE area = ` + args.Arg(areaOf(within)) + ` AND open > 0`
	if workerID != "" {
		q += ` AND assignee = ` + args.Arg(workerID)
	}
	rows, err := db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	defer rows.Close()
	var out []CaseloadItem
	for rows.Next() {
		var it CaseloadItem
		if err := rows.Scan(&it.WorkerID, &it.Open, &it.ByStatus.Assigned, &it.ByStatus.InGuardianship, &it.ByStatus.Unassigned,
			&it.ByRisk.High, &it.ByRisk.Medium, &it.ByRisk.Low); err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	// In Go's order of the ids, whatever the database's collation.
	sort.Slice(out, func(i, j int) bool { return out[i].WorkerID < out[j].WorkerID })
	if out == nil {
		out = []CaseloadItem{}
	}
	return out, nil
}
