// Package dberr recognizes the database drivers' errors that mean the same
// thing on every backend, and translates them into the event store's
// sentinel errors. Today that is a full disk: the log, the data keys, the
// read models and the access log all write to the same database, and each
// must report a full disk alike (eventstore.ErrStorageFull), so that the
// API answers 503 and the projections wait for space instead of stopping.
// The driver codes are known here and nowhere else.
package dberr

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/careledger/careledger/eventstore"
)

// Translate returns err matching eventstore.ErrStorageFull when a driver
// reports that the database's storage is full, and err unchanged otherwise
// (nil stays nil). The driver's error stays wrapped, for its detail.
func Translate(err error) error {
	if err == nil || errors.Is(err, eventstore.ErrStorageFull) || !StorageFull(err) {
		return err
	}
	return fmt.Errorf("%w: %w", eventstore.ErrStorageFull, err)
}

// StorageFull reports whether err is a driver's report of a full disk:
// SQLite's SQLITE_FULL (its file system refused to grow the database or
// its WAL: ENOSPC), or PostgreSQL's SQLSTATE 53100 disk_full (which it
// raises for every ENOSPC, "could not extend file …" among them).
func StorageFull(err error) bool {
	var lite *sqlite.Error
	if errors.As(err, &lite) && lite.Code()&0xff == sqlite3.SQLITE_FULL {
		return true
	}
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "53100"
}
