package readdb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careledger/careledger/projections/readdb"
)

func TestDDLSpellsEachDialect(t *testing.T) {
	stmt := `CREATE TABLE t (k TEXT PRIMARY KEY, at {{ts}}, n {{bigint}}, doc {{json}}, b {{bytes}}) {{without_rowid}}`
	assert.Equal(t, `CREATE TABLE t (k TEXT PRIMARY KEY, at TEXT, n INTEGER, doc TEXT, b BLOB) WITHOUT ROWID`, readdb.SQLite.DDL(stmt))
	assert.Equal(t, `CREATE TABLE t (k TEXT PRIMARY KEY, at timestamptz, n bigint, doc jsonb, b bytea)`, readdb.Postgres.DDL(stmt))
}
