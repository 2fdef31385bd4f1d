package readdb

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
)

// statementRows bounds the rows of one multi-row INSERT; statementParams
// keeps it under the parameter limits of SQLite (32 766) and PostgreSQL
// (65 535).
const (
	statementRows   = 500
	statementParams = 32000
)

// InsertRows writes rows (all of the same width) with multi-row
// statements: head is "INSERT INTO t (columns) VALUES ", tail what follows
// the values (an ON CONFLICT clause, or ""). Full-size statements are
// prepared once, so SQLite parses each shape once per call. A tx that is
// a Copier (a rebuild's, on PostgreSQL) loads CopyAtLeast rows or more
// with COPY instead, when there is no tail; on SQLite, rows without a tail
// go in as INSERT OR FAIL (withoutStatementJournal).
func InsertRows(ctx context.Context, tx Tx, d Dialect, head, tail string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if c, ok := tx.(Copier); ok && tail == "" && len(rows) >= CopyAtLeast {
		if table, columns, ok := insertInto(head); ok {
			return c.CopyFrom(ctx, table, columns, rows)
		}
	}
	if d == SQLite && tail == "" {
		head = withoutStatementJournal(head)
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
			err = insertPieces(ctx, tx, d, head, tail, cols, args)
		default:
			if full == nil {
				if full, err = tx.PrepareContext(ctx, head+d.Values(per, cols)+tail); err != nil {
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

// withoutStatementJournal spells a plain INSERT of InsertRows (its rows
// new to the table) as INSERT OR FAIL. A statement of several rows that
// may abort on a constraint has SQLite keep a journal of the pages it
// changes, to undo it alone; past 64 KiB that journal spills to a
// temporary file, a write a page: 6.7 % of a server's CPU under 32
// writers, most of it the read models' inserts. OR FAIL stops at the
// offending row without undoing the rows before it, so SQLite keeps no
// journal; the read models lose nothing by it, since their transaction is
// rolled back whole when one of its statements fails. (An upsert's DO
// UPDATE still may abort, and keeps its journal.)
func withoutStatementJournal(head string) string {
	if rest, ok := strings.CutPrefix(strings.TrimLeft(head, " \t\n"), "INSERT INTO "); ok {
		return "INSERT OR FAIL INTO " + rest
	}
	return head
}

// Upsert writes rows as InsertRows does, in two parts: fresh, rows whose
// keys the table does not have (as the caller read it in this
// transaction), as plain rows, which a rebuild's transaction on PostgreSQL
// copies in bulk; then stored, with tail, the ON CONFLICT clause that
// replaces the rows the table has. A rebuild meets most rows first in one
// page: as upserts, none could be copied.
func Upsert(ctx context.Context, tx Tx, d Dialect, head, tail string, fresh, stored [][]any) error {
	if err := InsertRows(ctx, tx, d, head, "", fresh); err != nil {
		return err
	}
	return InsertRows(ctx, tx, d, head, tail, stored)
}

// Copier is a Tx that loads rows in bulk: PostgreSQL's COPY, in the
// transaction, into table's columns (named as the Tx's statements name
// them). A rebuild's transactions on PostgreSQL are Copiers.
type Copier interface {
	CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) error
}

// CopyAtLeast is the fewest rows InsertRows copies rather than inserts:
// a COPY first asks the server for the columns' types, a round trip that
// a few rows' INSERT does not make.
const CopyAtLeast = 64

// insertHead is the head InsertRows takes: INSERT INTO table (columns) VALUES.
var insertHead = regexp.MustCompile(`^\s*INSERT INTO (\w+)\s*\(([\w\s,]+)\)\s*VALUES\s*$`)

// insertInto reads the table and columns of a head of InsertRows.
func insertInto(head string) (table string, columns []string, ok bool) {
	m := insertHead.FindStringSubmatch(head)
	if m == nil {
		return "", nil, false
	}
	for _, c := range strings.Split(m[2], ",") {
		columns = append(columns, strings.TrimSpace(c))
	}
	return m[1], columns, true
}

// insertPieces writes the rows in args (cols values each) with statements
// of a power-of-two number of rows each (13 rows: 8, 4, 1), so that a
// table is written with a handful of statement shapes, which the
// connections keep compiled (eventstore/sqlitedb; pgx's statement cache),
// rather than one shape per row count, each parsed anew.
func insertPieces(ctx context.Context, tx Tx, d Dialect, head, tail string, cols int, args []any) error {
	for n := len(args) / cols; n > 0; {
		piece := 1
		for piece*2 <= n {
			piece *= 2
		}
		if _, err := tx.ExecContext(ctx, head+d.Values(piece, cols)+tail, args[:piece*cols]...); err != nil {
			return err
		}
		args, n = args[piece*cols:], n-piece
	}
	return nil
}

// Chunks calls fn with consecutive pieces of values of at most 500 each,
// so that an IN list stays within every parameter limit.
func Chunks[T any](values []T, fn func(piece []T) error) error {
	for start := 0; start < len(values); start += 500 {
		if err := fn(values[start:min(start+500, len(values))]); err != nil {
			return err
		}
	}
	return nil
}

// Flag is a boolean column's value (0 or 1; both dialects keep INTEGER).
func Flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NullText is a text value, or NULL for "".
func NullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Snapshots reads, from table, the snapshot column of the rows whose key
// column is one of ids (in pieces of 500), and gives each to fn with its
// key. A read model that keeps the domain's facts between batches loads
// them with it; an id without a row is not given.
func Snapshots(ctx context.Context, q Querier, table, key, column string, ids []string, fn func(id string, raw []byte) error) error {
	return Chunks(ids, func(piece []string) error {
		in, args := InList(piece)
		rows, err := q.QueryContext(ctx, `SELECT `+key+`, `+column+` FROM `+table+` WHERE `+key+` IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var raw []byte
			if err := rows.Scan(&id, &raw); err != nil {
				return err
			}
			if err := fn(id, raw); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
