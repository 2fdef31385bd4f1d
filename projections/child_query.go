package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
)

// ChildView is a child's file as GET /v1/children/{id} shows it (API.md
// "Child"). After erasure the personal fields are nil (null), the birth
// date keeps only its year and Erased is true.
type ChildView struct {
	ID                string           `json:"id"`
	Name              *string          `json:"name"`
	IDNumber          *string          `json:"id_number"`
	BirthDate         string           `json:"birth_date"`
	Sex               string           `json:"sex"`
	Jurisdiction      string           `json:"jurisdiction"`
	Categories        []string         `json:"categories"`
	DifficultyReasons []string         `json:"difficulty_reasons"`
	KeyChildFlags     []string         `json:"key_child_flags"`
	KeyChild          bool             `json:"key_child"`
	Guardian          *domain.Guardian `json:"guardian"`
	EntrustedGuardian *domain.Guardian `json:"entrusted_guardian"`
	LivingSituation   *string          `json:"living_situation"`
	Schooling         *string          `json:"schooling"`
	HukouRegistered   bool             `json:"hukou_registered"`
	RegisteredAt      time.Time        `json:"registered_at"`
	LastVisitAt       *time.Time       `json:"last_visit_at"`
	Erased            bool             `json:"erased"`
	Version           int64            `json:"version"`
}

// FindChild reads a child's file from the child view; a child the view
// does not have is ErrNoSuchRow.
func FindChild(ctx context.Context, db *sql.DB, id string) (ChildView, error) {
	var c ChildView
	var categories, reasons, flags, guardian, entrusted []byte
	var keyChild, hukou, erased int
	var registered, lastVisit scannedTime
	err := db.QueryRowContext(ctx, `SELECT child_id, jurisdiction, name, id_number, birth_date, sex, categories,
		difficulty_reasons, key_child_flags, key_child, guardian, entrusted_guardian, living_situation, schooling,
		hukou_registered, registered_at, last_visit_at, erased, version FROM rm_children WHERE child_id = $1`, id).Scan(
		&c.ID, &c.Jurisdiction, &c.Name, &c.IDNumber, &c.BirthDate, &c.Sex, &categories, &reasons, &flags, &keyChild,
		&guardian, &entrusted, &c.LivingSituation, &c.Schooling, &hukou, &registered, &lastVisit, &erased, &c.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return ChildView{}, fmt.Errorf("child %s: %w", id, ErrNoSuchRow)
	}
	if err != nil {
		return ChildView{}, fmt.Errorf("find child %s: %w", id, err)
	}
	c.KeyChild, c.HukouRegistered, c.Erased = keyChild == 1, hukou == 1, erased == 1
	c.RegisteredAt, c.LastVisitAt = registered.T, lastVisit.ptr()
	if c.IDNumber != nil && *c.IDNumber == "" {
		c.IDNumber = nil
	}
	for _, f := range []struct {
		raw []byte
		to  *[]string
	}{{categories, &c.Categories}, {reasons, &c.DifficultyReasons}, {flags, &c.KeyChildFlags}} {
		if err := decodeWords(f.raw, f.to); err != nil {
			return ChildView{}, fmt.Errorf("find child %s: %w", id, err)
		}
	}
	if c.Guardian, err = decodeGuardian(guardian); err != nil {
		return ChildView{}, fmt.Errorf("find child %s: %w", id, err)
	}
	if c.EntrustedGuardian, err = decodeGuardian(entrusted); err != nil {
		return ChildView{}, fmt.Errorf("find child %s: %w", id, err)
	}
	return c, nil
}

func decodeWords(raw []byte, to *[]string) error {
	*to = []string{}
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, to)
}

func decodeGuardian(raw []byte) (*domain.Guardian, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var g domain.Guardian
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// ChildListing is a child as the children list shows it: enough to find
// the child, and nothing of the file a reader must open (and so be
// recorded in the access log) to see — no ID number, guardian, phone,
// living situation or schooling.
type ChildListing struct {
	ID            string     `json:"id"`
	Name          *string    `json:"name"`
	BirthDate     string     `json:"birth_date"`
	Sex           string     `json:"sex"`
	Jurisdiction  string     `json:"jurisdiction"`
	Categories    []string   `json:"categories"`
	KeyChildFlags []string   `json:"key_child_flags"`
	KeyChild      bool       `json:"key_child"`
	LastVisitAt   *time.Time `json:"last_visit_at"`
	Erased        bool       `json:"erased"`
	Version       int64      `json:"version"`
}

// ChildFilter selects children for ListChildren; zero fields select
// everything.
type ChildFilter struct {
	// JurisdictionPrefix keeps children whose place starts with it ("" or
	// "all": everywhere).
	JurisdictionPrefix string
	// Category keeps children of that category (left_behind, in_difficulty,
	// scattered_orphan).
	Category string
	// KeyChild, when set, keeps key children (true) or the others (false).
	KeyChild *bool
	// After is a cursor: the id of the last child of the previous page.
	After string
	// Limit bounds the children returned (default 50).
	Limit int
}

// ListChildren lists children in id order.
func ListChildren(ctx context.Context, db *sql.DB, f ChildFilter) ([]ChildListing, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where = append(where, "child_id > "+arg(f.After))
	if p := f.JurisdictionPrefix; p != "" && p != domain.All.String() {
		where = append(where, "substr(jurisdiction, 1, "+arg(len(p))+") = "+arg(p))
	}
	if f.Category != "" {
		// A category is a vocabulary word (letters and _ only): as a JSON
		// string it matches itself within the array's text.
		if _, err := domain.ParseCategories([]string{f.Category}); err != nil {
			return nil, &domain.InvalidError{Field: "category", Message: err.Error()}
		}
		where = append(where, "CAST(categories AS TEXT) LIKE "+arg(`%"`+f.Category+`"%`))
	}
	if f.KeyChild != nil {
		where = append(where, "key_child = "+arg(boolInt(*f.KeyChild)))
	}
	rows, err := db.QueryContext(ctx, `SELECT child_id, name, birth_date, sex, jurisdiction, categories, key_child_flags,
		key_child, last_visit_at, erased, version FROM rm_children WHERE `+strings.Join(where, " AND ")+
		` ORDER BY child_id LIMIT `+arg(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list children: %w", err)
	}
	defer rows.Close()
	out := []ChildListing{}
	for rows.Next() {
		var c ChildListing
		var categories, flags []byte
		var keyChild, erased int
		var lastVisit scannedTime
		if err := rows.Scan(&c.ID, &c.Name, &c.BirthDate, &c.Sex, &c.Jurisdiction, &categories, &flags, &keyChild,
			&lastVisit, &erased, &c.Version); err != nil {
			return nil, fmt.Errorf("list children: %w", err)
		}
		if err := decodeWords(categories, &c.Categories); err != nil {
			return nil, fmt.Errorf("list children: %w", err)
		}
		if err := decodeWords(flags, &c.KeyChildFlags); err != nil {
			return nil, fmt.Errorf("list children: %w", err)
		}
		c.KeyChild, c.Erased, c.LastVisitAt = keyChild == 1, erased == 1, lastVisit.ptr()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list children: %w", err)
	}
	return out, nil
}
