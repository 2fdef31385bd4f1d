package inquiries

import (
	"context"
	"fmt"
	"strings"

	"github.com/careledger/careledger/projections/readdb"
)

// Into are the inquiries, open or closed, into a child or any of its cases,
// in id order: the streams whose openings discharge the inquiry clocks of
// those cases.
func Into(ctx context.Context, db readdb.DB, childID string, caseIDs []string) ([]string, error) {
	return into(ctx, db, childID, caseIDs, "")
}

// into are the inquiries into a child or any of its cases with the status
// (any, if empty).
func into(ctx context.Context, db readdb.DB, childID string, caseIDs []string, status string) ([]string, error) {
	var a readdb.Args
	cond := []string{"child_id = " + a.Arg(childID)}
	if len(caseIDs) > 0 {
		in := make([]string, len(caseIDs))
		for i, id := range caseIDs {
			in[i] = a.Arg(id)
		}
		cond = append(cond, "case_id IN ("+strings.Join(in, ", ")+")")
	}
	where := "(" + strings.Join(cond, " OR ") + ")"
	if status != "" {
		where += " AND status = " + a.Arg(status)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT inquiry_id FROM rm_inquiries WHERE `+where+` ORDER BY inquiry_id`, a...)
	if err != nil {
		return nil, fmt.Errorf("inquiries into child %s: %w", childID, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("inquiries into child %s: %w", childID, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
