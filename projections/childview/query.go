package childview

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Find reads a child's file from the view: its facts, as fileOf derives
// them. A child the view does not have is domain.NotFound("child", id).
func Find(ctx context.Context, db readdb.DB, id string) (Child, error) {
	var raw []byte
	err := db.SQL.QueryRowContext(ctx, `SELECT facts FROM rm_children WHERE child_id = $1`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Child{}, domain.NotFound("child", id)
	}
	if err != nil {
		return Child{}, fmt.Errorf("find child %s: %w", id, err)
	}
	c, err := decode(id, raw)
	if err != nil {
		return Child{}, fmt.Errorf("find child %s: %w", id, err)
	}
	return c, nil
}

// decode reads a snapshot of rm_children.facts as the file it gives.
func decode(id string, raw []byte) (Child, error) {
	var f domain.ChildFacts
	if err := f.UnmarshalBinary(raw); err != nil {
		return Child{}, fmt.Errorf("facts of child %s: %w", id, err)
	}
	return fileOf(id, &f), nil
}

// Filter selects children for List; its zero value selects everything.
type Filter struct {
	// Within keeps children whose place lies within it (zero or
	// domain.All: everywhere).
	Within domain.Jurisdiction
	// Category keeps children of that category (left_behind,
	// in_difficulty, scattered_orphan; "": any).
	Category string
	// KeyChild, when set, keeps key children (true) or the others (false).
	KeyChild *bool
	// After is a cursor: the id of the last child of the previous page.
	After string
	// Limit bounds the children returned (default 50).
	Limit int
}

// List lists children in id order. A Category that is not a category word
// is a *domain.InvalidError naming "category".
func List(ctx context.Context, db readdb.DB, f Filter) ([]Listing, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var a readdb.Args
	where := []string{"child_id > " + a.Arg(f.After), db.Dialect.PrefixOf(&a, "jurisdiction", f.Within.String())}
	if f.Category != "" {
		if _, err := domain.ParseCategories([]string{f.Category}); err != nil {
			message := err.Error()
			if invalid := (*domain.InvalidError)(nil); errors.As(err, &invalid) {
				message = invalid.Message
			}
			return nil, &domain.InvalidError{Field: "category", Message: message}
		}
		// A category is a vocabulary word (letters and _ only): as a JSON
		// string it matches itself within the array's text.
		where = append(where, "CAST(categories AS TEXT) LIKE "+a.Arg(`%"`+f.Category+`"%`))
	}
	if f.KeyChild != nil {
		where = append(where, "key_child = "+a.Arg(readdb.Flag(*f.KeyChild)))
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT child_id, facts FROM rm_children WHERE `+strings.Join(where, " AND ")+
		` ORDER BY child_id LIMIT `+a.Arg(f.Limit), a...)
	if err != nil {
		return nil, fmt.Errorf("list children: %w", err)
	}
	defer rows.Close()
	out := []Listing{}
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("list children: %w", err)
		}
		c, err := decode(id, raw)
		if err != nil {
			return nil, fmt.Errorf("list children: %w", err)
		}
		out = append(out, listingOf(c))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list children: %w", err)
	}
	return out, nil
}
