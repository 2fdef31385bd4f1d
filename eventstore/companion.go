package eventstore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A Companion is a row of another table of the log's own database that an
// append writes in the transaction that stores its events: the row and the
// events are stored together, or neither is. A new child's data key goes in
// so with the first event sealed under it, sparing a transaction of its own
// and leaving no key without its event nor event without its key.
//
// The row is inserted as it is (no ON CONFLICT): a row whose key is taken
// fails the append with ErrCompanionConflict. An append decided otherwise
// (a version conflict, a retry answered with the events already stored)
// writes no row.
type Companion struct {
	Table   string
	Columns []string
	Values  []any
}

// ErrCompanionConflict: a companion row's key is already taken, so nothing
// of the append was stored.
var ErrCompanionConflict = errors.New("a companion row's key is already taken")

// CompanionStore is a store whose log lives in a SQL database other tables
// share (SQLite's file, PostgreSQL's database), which can write companion
// rows into them with an append.
type CompanionStore interface {
	Store
	// AppendWith is Append, writing the companion rows in the transaction
	// that stores the events.
	AppendWith(ctx context.Context, stream StreamRef, expected ExpectedVersion, companions []Companion, events ...NewEvent) ([]Event, error)
}

// sqlName is what a companion's table and columns may be called: they are
// written into the statement as they are.
var sqlName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Check says what is wrong with a companion row, if anything.
func (c Companion) Check() error {
	if !sqlName.MatchString(c.Table) {
		return fmt.Errorf("companion row: table %q is not a plain SQL name: %w", c.Table, ErrInvalidEvent)
	}
	if len(c.Columns) == 0 || len(c.Columns) != len(c.Values) {
		return fmt.Errorf("companion row of %s: %d columns, %d values: %w", c.Table, len(c.Columns), len(c.Values), ErrInvalidEvent)
	}
	for _, col := range c.Columns {
		if !sqlName.MatchString(col) {
			return fmt.Errorf("companion row of %s: column %q is not a plain SQL name: %w", c.Table, col, ErrInvalidEvent)
		}
	}
	return nil
}

// Insert is the statement that inserts the row, its values numbered $1…
// (as both PostgreSQL and SQLite take them).
func (c Companion) Insert() string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES (", c.Table, strings.Join(c.Columns, ", "))
	for i := range c.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i+1)
	}
	b.WriteString(")")
	return b.String()
}
