package accesslog

import (
	"context"

	"github.com/careledger/careledger/projections/readdb"
)

// schema is the DDL of the access log, version 1.
var schema = []string{`CREATE TABLE IF NOT EXISTS access_log (
	entry_id           TEXT PRIMARY KEY,
	at                 {{ts}} NOT NULL,
	subject            TEXT NOT NULL,
	role               TEXT NOT NULL,
	actor_jurisdiction TEXT NOT NULL,
	child_id           TEXT NOT NULL,
	case_id            TEXT,
	jurisdiction       TEXT NOT NULL,
	action             TEXT NOT NULL,
	request_id         TEXT
)`, `CREATE INDEX IF NOT EXISTS access_log_child ON access_log (child_id, entry_id)`,
	`CREATE INDEX IF NOT EXISTS access_log_jurisdiction ON access_log (jurisdiction, entry_id)`}

// columns are the columns an entry fills, in order.
const columns = `entry_id, at, subject, role, actor_jurisdiction, child_id, case_id, jurisdiction, action, request_id`

// Migrate creates the access log's table if it does not exist.
func Migrate(ctx context.Context, db readdb.DB) error {
	return db.Migrate(ctx, "access log", schema)
}
