package projections

import (
	"strings"
	"time"
)

// Dialect is the SQL flavour of the read-model database. Read models are
// written in the common subset of SQLite and PostgreSQL (numbered $N
// parameters, INSERT … ON CONFLICT … DO UPDATE); the few type names that
// differ are spelled in DDL as {{ts}} (a timestamp), {{bigint}} and
// {{json}}.
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
	ts, bigint, js := "TEXT", "INTEGER", "TEXT"
	if d == Postgres {
		ts, bigint, js = "timestamptz", "bigint", "jsonb"
	}
	return strings.NewReplacer("{{ts}}", ts, "{{bigint}}", bigint, "{{json}}", js).Replace(stmt)
}

// tsLayout keeps SQLite timestamps sortable as text: fixed width, UTC,
// microseconds.
const tsLayout = "2006-01-02T15:04:05.000000Z"

// Time is the value to bind for a timestamp column (nil for the zero time).
func (d Dialect) Time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if d == Postgres {
		return t.UTC()
	}
	return t.UTC().Format(tsLayout)
}
