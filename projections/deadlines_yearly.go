package projections

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// ExtendYearly adds to the deadline view the yearly information
// verifications that have come due since a child's file last changed. The
// view judges a stream at its own horizon (its latest business time), where
// the yearly series stops; this clock-driven step derives, for every child
// whose latest verification in the view is due before now, the child's
// obligations at now and adds the verifications the view lacks. It says
// how many rows it added. The next change of the child's file derives its
// rows from the record again; the next run adds them back. serve runs it
// with the missed-deadline sweep.
func ExtendYearly(ctx context.Context, db *sql.DB, d Dialect, log StreamReader, now time.Time) (int, error) {
	rows, err := db.QueryContext(ctx, `SELECT stream_id, jurisdiction FROM rm_deadlines WHERE kind = $1
		GROUP BY stream_id, jurisdiction HAVING max(due_at) < $2 ORDER BY stream_id`,
		domain.KindInfoVerification.String(), d.Time(now))
	if err != nil {
		return 0, fmt.Errorf("extend yearly verifications: %w", err)
	}
	place := map[string]string{}
	var streams []string
	for rows.Next() {
		var id, jurisdiction string
		if err := rows.Scan(&id, &jurisdiction); err != nil {
			rows.Close()
			return 0, fmt.Errorf("extend yearly verifications: %w", err)
		}
		streams, place[id] = append(streams, id), jurisdiction
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(streams) == 0 {
		return 0, err
	}
	reg := domain.NewRegistry()
	policyEvents, err := log.ReadStreams(ctx, []string{domain.PolicyStream}, 0)
	if err != nil {
		return 0, fmt.Errorf("extend yearly verifications: %w", err)
	}
	policyHistory, err := commands.DecodeEvents(reg, policyEvents[domain.PolicyStream])
	if err != nil {
		return 0, fmt.Errorf("extend yearly verifications: %w", err)
	}
	policies := domain.LoadPolicyHistory(policyHistory)
	added := 0
	for start := 0; start < len(streams); start += 500 {
		page := streams[start:min(start+500, len(streams))]
		stored, err := log.ReadStreams(ctx, page, 0)
		if err != nil {
			return added, fmt.Errorf("extend yearly verifications: %w", err)
		}
		var values [][]any
		for _, id := range page {
			history, err := commands.DecodeEvents(reg, stored[id])
			if err != nil || len(history) == 0 {
				continue // the projection reports what it cannot read
			}
			deadlines := domain.ChildDeadlines(history, policies, now)
			keys := DeadlineKeys(deadlines)
			last := history[len(history)-1].Position
			for i, dl := range deadlines {
				if dl.Kind != domain.KindInfoVerification {
					continue
				}
				row, err := deadlineRow(d, keys[i], id, place[id], dl, last)
				if err != nil {
					return added, err
				}
				values = append(values, row)
			}
		}
		if len(values) == 0 {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return added, fmt.Errorf("extend yearly verifications: %w", err)
		}
		for _, v := range values {
			res, err := tx.ExecContext(ctx, `INSERT INTO rm_deadlines (`+deadlineColumns+`) VALUES `+placeholders(1, len(v))+`
				ON CONFLICT (deadline_key) DO NOTHING`, v...)
			if err != nil {
				tx.Rollback()
				return added, fmt.Errorf("extend yearly verifications: %w", err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		if err := tx.Commit(); err != nil {
			return added, fmt.Errorf("extend yearly verifications: %w", err)
		}
	}
	return added, nil
}
