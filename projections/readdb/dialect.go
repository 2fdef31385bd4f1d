package readdb

import (
	"fmt"
	"strings"
)

// Dialect is the SQL flavour of the read-model database. Read models are
// written in the common subset of SQLite and PostgreSQL (numbered $N
// parameters, INSERT … ON CONFLICT … DO UPDATE); the few type names that
// differ are spelled in DDL as {{ts}} (a timestamp), {{bigint}} and
// {{json}}, and {{bytes}} (binary: BLOB or bytea). A table that ends in
// {{without_rowid}} keeps its rows in its primary key's order on SQLite
// (WITHOUT ROWID: a lookup by key reads the row off the key's own b-tree,
// not the key's index and then the table); PostgreSQL has no such tables
// and reads it as nothing.
type Dialect int

// The dialects.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DDL spells a schema statement for the dialect.
func (d Dialect) DDL(stmt string) string {
	ts, bigint, js, bytes, withoutRowid := "TEXT", "INTEGER", "TEXT", "BLOB", " WITHOUT ROWID"
	if d == Postgres {
		ts, bigint, js, bytes, withoutRowid = "timestamptz", "bigint", "jsonb", "bytea", ""
	}
	return strings.NewReplacer("{{ts}}", ts, "{{bigint}}", bigint, "{{json}}", js, "{{bytes}}", bytes,
		" {{without_rowid}}", withoutRowid).Replace(stmt)
}

// Values spells the parameters of rows × cols values: ($1, $2), ($3, $4)…
// on PostgreSQL, (?, ?), (?, ?)… on SQLite, which looks numbered
// parameters up by name, at a cost that grows with their count.
func (d Dialect) Values(rows, cols int) string {
	if d == SQLite {
		one := "(" + strings.Repeat("?, ", cols-1) + "?)"
		return strings.Repeat(one+", ", rows-1) + one
	}
	return Placeholders(rows, cols)
}

// Placeholders spells rows × cols numbered parameters: ($1, $2), ($3, $4)…
func Placeholders(rows, cols int) string {
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

// InList spells a list of numbered parameters for values — "$1, $2, …" —
// and gives them as arguments.
func InList[T any](values []T) (string, []any) {
	var b strings.Builder
	args := make([]any, len(values))
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i+1)
		args[i] = v
	}
	return b.String(), args
}

// Args collects the arguments of a query built piece by piece: each Arg
// adds one and spells its parameter ($N).
type Args []any

// Arg adds v and spells its parameter.
func (a *Args) Arg(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// PrefixOf spells the condition that column holds a division code under
// prefix ("" or "all": none), binding its arguments in a.
//
// A full 12-digit code (a village) is spelt as equality, which means the
// same (no code is longer) and lets an index on column find the village's
// rows instead of testing every row: a village's open obligations at
// 993,103 events took 24–26 ms with substr().
//
// A shorter one is substr() on SQLite, and a range of codes on PostgreSQL
// (code ≥ prefix and < the next prefix, nextPrefix: the same codes, as
// division codes are digits, which every collation orders alike; a prefix
// of nines, or of more than digits, stays substr()).
// PostgreSQL cannot estimate how many rows substr() keeps and guessed 0.5
// %: for the county's open obligations at 997,103 events it read all
// 60,990 rows (28,843 pages, 190 ms) to sort them and keep 51, where its
// index in key order reads 98 pages once it knows that most rows are the
// county's. SQLite keeps substr(): without statistics, a range on the
// jurisdiction index's first column could draw it from the key order.
func (d Dialect) PrefixOf(a *Args, column, prefix string) string {
	switch {
	case prefix == "" || prefix == "all":
		return "1 = 1"
	case len(prefix) == placeLength:
		return column + " = " + a.Arg(prefix)
	}
	if d == Postgres && digits(prefix) {
		if next, ok := nextPrefix(prefix); ok {
			return "(" + column + " >= " + a.Arg(prefix) + " AND " + column + " < " + a.Arg(next) + ")"
		}
	}
	return "substr(" + column + ", 1, " + a.Arg(len(prefix)) + ") = " + a.Arg(prefix)
}

// nextPrefix is the least string after every string that starts with
// prefix, a string of digits: its last digit below 9 counted up, the nines
// after it dropped; ok is false when there is none (all nines).
func nextPrefix(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// digits tells whether s is digits only.
func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// placeLength is the length of a full division code, a village's.
const placeLength = 12
