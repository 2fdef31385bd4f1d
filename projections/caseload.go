package projections

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/careledger/careledger/domain"
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

// Caseload counts the open cases per worker from the case view (rm_cases,
// kept by Cases; nothing is stored twice). jurisdictionPrefix "" or "all"
// covers every case; otherwise it is a division code of 2, 4, 6, 9 or 12
// digits and only cases whose jurisdiction starts with it count (an invalid
// prefix is a *domain.InvalidError). workerID "" lists every worker, the
// unassigned cases under worker "" included; otherwise only that worker's
// cases. Items are in worker id order; workers without open cases are not
// listed.
func Caseload(ctx context.Context, db *sql.DB, jurisdictionPrefix string, workerID string) ([]CaseloadItem, error) {
	q := `SELECT coalesce(assignee, ''),
		CASE WHEN guardianship_active = 1 THEN 'in_guardianship' WHEN assignee IS NULL THEN 'unassigned' ELSE 'assigned' END,
		risk, count(*)
		FROM rm_cases WHERE status = 'open'`
	var args []any
	if jurisdictionPrefix != "" && jurisdictionPrefix != domain.All.String() {
		// ParseJurisdiction admits digits only, so the prefix holds no LIKE
		// wildcard and needs no escaping.
		if _, err := domain.ParseJurisdiction(jurisdictionPrefix); err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		args = append(args, jurisdictionPrefix)
		q += fmt.Sprintf(` AND jurisdiction LIKE CAST($%d AS TEXT) || '%%'`, len(args))
	}
	if workerID != "" {
		args = append(args, workerID)
		q += fmt.Sprintf(` AND assignee = $%d`, len(args))
	}
	q += ` GROUP BY coalesce(assignee, ''),
		CASE WHEN guardianship_active = 1 THEN 'in_guardianship' WHEN assignee IS NULL THEN 'unassigned' ELSE 'assigned' END,
		risk`
	rows, err := db.QueryContext(ctx, q, args...)
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
			for _, r := range []domain.Risk{domain.RiskHigh, domain.RiskMedium, domain.RiskLow} {
				item.ByRisk[r.String()] = 0
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
