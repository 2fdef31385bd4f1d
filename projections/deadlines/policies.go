package deadlines

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// loadPolicies reads the deadline policy's history as the view has it.
func loadPolicies(ctx context.Context, q readdb.Querier) (domain.PolicyHistory, error) {
	rows, err := q.QueryContext(ctx, `SELECT policy FROM rm_deadline_policies ORDER BY version`)
	if err != nil {
		return domain.PolicyHistory{}, fmt.Errorf("read deadline policies: %w", err)
	}
	defer rows.Close()
	var versions []domain.PolicyVersion
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return domain.PolicyHistory{}, fmt.Errorf("read deadline policies: %w", err)
		}
		var v domain.PolicyVersion
		if err := json.Unmarshal(raw, &v); err != nil {
			return domain.PolicyHistory{}, fmt.Errorf("read deadline policies: %w", err)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return domain.PolicyHistory{}, fmt.Errorf("read deadline policies: %w", err)
	}
	return domain.NewPolicyHistory(versions), nil
}

// savePolicies writes every version of the policy's history.
func savePolicies(ctx context.Context, tx readdb.Tx, d readdb.Dialect, h domain.PolicyHistory) error {
	var rows [][]any
	for _, v := range h.Versions() {
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("deadline policy %d: %w", v.Version, err)
		}
		rows = append(rows, []any{v.Version, string(raw)})
	}
	err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_deadline_policies (version, policy) VALUES `,
		` ON CONFLICT (version) DO UPDATE SET policy = excluded.policy`, rows)
	if err != nil {
		return fmt.Errorf("save deadline policies: %w", err)
	}
	return nil
}
