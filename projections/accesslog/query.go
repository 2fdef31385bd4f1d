package accesslog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/careledger/careledger/projections/readdb"
)

// Filter selects entries for Query; zero fields select everything.
type Filter struct {
	ChildID string
	// JurisdictionPrefix keeps entries about what lies within it ("" or
	// "all": everywhere).
	JurisdictionPrefix string
	// From and Until keep entries read within [From, Until] (zero: no
	// bound).
	From, Until time.Time
	// After is a cursor: the id of the last entry of the previous page.
	After string
	// Limit bounds the entries returned (default 50).
	Limit int
}

// Query lists entries in the order they were recorded.
func Query(ctx context.Context, db readdb.DB, f Filter) ([]Entry, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var args readdb.Args
	where := []string{"entry_id > " + args.Arg(f.After)}
	if f.ChildID != "" {
		where = append(where, "child_id = "+args.Arg(f.ChildID))
	}
	where = append(where, db.Dialect.PrefixOf(&args, "jurisdiction", f.JurisdictionPrefix))
	if !f.From.IsZero() {
		where = append(where, "at >= "+args.Arg(db.Dialect.Time(f.From)))
	}
	if !f.Until.IsZero() {
		where = append(where, "at <= "+args.Arg(db.Dialect.Time(f.Until)))
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT `+columns+` FROM access_log WHERE `+strings.Join(where, " AND ")+
		` ORDER BY entry_id LIMIT `+args.Arg(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query access log: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var at readdb.Timestamp
		var caseID, requestID sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.Subject, &e.Role, &e.ActorJurisdiction, &e.ChildID, &caseID, &e.Jurisdiction,
			&e.Action, &requestID); err != nil {
			return nil, fmt.Errorf("query access log: %w", err)
		}
		e.At, e.CaseID, e.RequestID = at.T, caseID.String, requestID.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query access log: %w", err)
	}
	return out, nil
}
