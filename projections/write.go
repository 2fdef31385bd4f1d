package projections

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// statementRows bounds the rows of one multi-row INSERT; statementParams
// keeps it under the parameter limits of SQLite (32 766) and PostgreSQL
// (65 535).
const (
	statementRows   = 500
	statementParams = 32000
)

// insertRows writes rows (all of the same width) with multi-row
// statements: head is "INSERT INTO t (columns) VALUES ", tail what follows
// the values (an ON CONFLICT clause, or ""). Full-size statements are
// prepared once, so SQLite parses each shape once per call.
func insertRows(ctx context.Context, tx Tx, d Dialect, head, tail string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	cols := len(rows[0])
	per := max(1, min(statementRows, statementParams/cols))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, min(per, len(rows))*cols)
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, row := range chunk {
			args = append(args, row...)
		}
		var err error
		switch {
		case len(chunk) < per || len(rows) == per:
			_, err = tx.ExecContext(ctx, head+d.values(len(chunk), cols)+tail, args...)
		default:
			if full == nil {
				if full, err = tx.PrepareContext(ctx, head+d.values(per, cols)+tail); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// values spells the parameters of rows × cols values: ($1, $2), ($3, $4)…
// on PostgreSQL, (?, ?), (?, ?)… on SQLite, which looks numbered
// parameters up by name, at a cost that grows with their count.
func (d Dialect) values(rows, cols int) string {
	if d == SQLite {
		one := "(" + strings.Repeat("?, ", cols-1) + "?)"
		return strings.Repeat(one+", ", rows-1) + one
	}
	return placeholders(rows, cols)
}

// placeholders spells rows × cols numbered parameters: ($1, $2), ($3, $4)…
func placeholders(rows, cols int) string {
	var b strings.Builder
	b.Grow(rows * cols * 6)
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", n)
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}
