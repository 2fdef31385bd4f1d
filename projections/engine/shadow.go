package engine

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/careledger/careledger/projections/readdb"
)

// shadowSuffix names a rebuild's copy of a table or an index.
const shadowSuffix = "__shadow"

// shadow is a projection's tables as a rebuild builds them: the same
// schema, each table and index named with shadowSuffix, beside the live
// tables that queries and the live follower keep using until the swap.
type shadow struct {
	p      Projection
	tables []string       // the live tables
	names  *regexp.Regexp // the live tables' and indexes' names, as words
	// later are the index statements of Schema left until the shadow is
	// built: an index made over the loaded rows costs less than one kept
	// up row by row.
	later []string
}

// declaredIndex finds the name an index statement of a Schema declares.
var declaredIndex = regexp.MustCompile(`(?i)CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)`)

func newShadow(p Projection) *shadow {
	names := append([]string{}, p.Tables()...)
	for _, stmt := range p.Schema() {
		if m := declaredIndex.FindStringSubmatch(stmt); m != nil {
			names = append(names, m[1])
		}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return &shadow{p: p, tables: p.Tables(), names: regexp.MustCompile(`\b(` + strings.Join(quoted, "|") + `)\b`)}
}

// sql spells a statement of the projection for the shadow tables.
func (s *shadow) sql(q string) string { return s.names.ReplaceAllString(q, "${1}"+shadowSuffix) }

// tx is tx as the projection sees it: its statements, and its copies
// when tx copies (readdb.Copier), reach the shadow.
func (s *shadow) tx(tx readdb.Tx) readdb.Tx {
	if c, ok := tx.(readdb.Copier); ok {
		return copyingShadowTx{shadowTx: shadowTx{tx: tx, s: s}, copier: c}
	}
	return shadowTx{tx: tx, s: s}
}

// create drops what an earlier rebuild left and makes the empty shadow
// tables with their indexes.
func (s *shadow) create(ctx context.Context, db *sql.DB, d readdb.Dialect) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range s.tables {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t+shadowSuffix); err != nil {
			return fmt.Errorf("drop %s%s: %w", t, shadowSuffix, err)
		}
	}
	needed := map[string]bool{}
	if a, ok := s.p.(IndexedApply); ok {
		for _, ix := range a.ApplyIndexes() {
			needed[ix] = true
		}
	}
	s.later = nil
	for _, stmt := range s.p.Schema() {
		if m := declaredIndex.FindStringSubmatch(stmt); m != nil && !needed[m[1]] {
			s.later = append(s.later, stmt)
			continue
		}
		if _, err := tx.ExecContext(ctx, s.sql(d.DDL(stmt))); err != nil {
			return fmt.Errorf("create shadow tables: %w", err)
		}
	}
	return tx.Commit()
}

// indexes are the statements that make the indexes left for later over
// the built shadow tables, on PostgreSQL, where the swap renames them.
// readdb.SQLite cannot rename an index: there the swap makes them under
// their own names, and there are none.
func (s *shadow) indexes(d readdb.Dialect) []string {
	if d == readdb.SQLite {
		return nil
	}
	out := make([]string, len(s.later))
	for i, stmt := range s.later {
		out[i] = s.sql(d.DDL(stmt))
	}
	return out
}

// analyze gathers the statistics of the built shadow tables, on
// PostgreSQL. Tables loaded in bulk have none until autovacuum comes by:
// the planner then guessed, and the deadline view's look-up of a page's
// streams scanned all 880 000 rows of a rebuilt rm_deadlines (150–310 ms
// a page, the projection's lag 2 s under load) instead of its index.
func (s *shadow) analyze(ctx context.Context, db *sql.DB, d readdb.Dialect) error {
	if d == readdb.SQLite {
		return nil
	}
	for _, t := range s.tables {
		if _, err := db.ExecContext(ctx, `ANALYZE `+t+shadowSuffix); err != nil {
			return fmt.Errorf("analyze shadow tables: %w", err)
		}
	}
	return nil
}

// drop removes the shadow tables.
func (s *shadow) drop(ctx context.Context, db *sql.DB) error {
	for _, t := range s.tables {
		if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+t+shadowSuffix); err != nil {
			return err
		}
	}
	return nil
}

// swap replaces, inside tx, the live tables by the shadow ones: the same
// names, columns and indexes as Schema makes.
func (s *shadow) swap(ctx context.Context, tx *sql.Tx, d readdb.Dialect) error {
	for _, t := range s.tables {
		for _, q := range []string{`DROP TABLE IF EXISTS ` + t, `ALTER TABLE ` + t + shadowSuffix + ` RENAME TO ` + t} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("swap %s: %w", t, err)
			}
		}
		indexes, err := shadowIndexes(ctx, tx, d, t)
		if err != nil {
			return fmt.Errorf("swap %s: %w", t, err)
		}
		for _, ix := range indexes {
			// PostgreSQL renames an index; readdb.SQLite cannot, and makes it
			// again under its name below.
			q := `ALTER INDEX ` + ix + ` RENAME TO ` + strings.Replace(ix, shadowSuffix, "", 1)
			if d == readdb.SQLite {
				q = `DROP INDEX ` + ix
			}
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("swap %s: %w", ix, err)
			}
		}
	}
	if d == readdb.SQLite {
		for _, stmt := range s.p.Schema() {
			if _, err := tx.ExecContext(ctx, d.DDL(stmt)); err != nil {
				return fmt.Errorf("swap: index the tables: %w", err)
			}
		}
	}
	return nil
}

// shadowIndexes lists the indexes of a table whose names carry
// shadowSuffix (readdb.SQLite's own automatic indexes follow their table).
func shadowIndexes(ctx context.Context, tx *sql.Tx, d readdb.Dialect, table string) ([]string, error) {
	q := `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
	if d == readdb.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`
	}
	rows, err := tx.QueryContext(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if strings.Contains(name, shadowSuffix) {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// shadowTx sends a projection's statements to its shadow tables.
type shadowTx struct {
	tx readdb.Tx
	s  *shadow
}

// copyingShadowTx is a shadowTx whose transaction copies rows in bulk.
type copyingShadowTx struct {
	shadowTx
	copier readdb.Copier
}

func (t copyingShadowTx) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) error {
	return t.copier.CopyFrom(ctx, t.s.sql(table), columns, rows)
}

func (t shadowTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.s.sql(query), args...)
}

func (t shadowTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.s.sql(query), args...)
}

func (t shadowTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.sql(query), args...)
}

func (t shadowTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, t.s.sql(query))
}
