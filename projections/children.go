package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/careledger/careledger/domain"
)

// Children is the child-file view (一人一档案): one row per child with what
// GET /v1/children/{id} and the children list show (rm_children).
//
// Personal data — name, ID number, guardians with their phones, living
// situation, schooling — is kept here in clear for now; the data-protection
// issue will encrypt it with the child's key, so that erasure (destroying
// the key) leaves nothing readable. Erasure already empties the fields here.
type Children struct{}

// Name implements Projection.
func (Children) Name() string { return "children" }

// Tables implements Projection.
func (Children) Tables() []string { return []string{"rm_children"} }

// Schema implements Projection. birth_date is YYYY-MM-DD; categories,
// difficulty_reasons and key_child_flags are JSON arrays of words; guardian
// and entrusted_guardian JSON objects {name, relation, phone?}. key_child,
// hukou_registered and erased are 0 or 1. last_visit_at is the business
// time of the latest visit, whatever order visits were entered in.
func (Children) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_children (
	child_id           TEXT PRIMARY KEY,
	jurisdiction       TEXT NOT NULL,
	name               TEXT,
	id_number          TEXT,
	birth_date         TEXT NOT NULL,
	sex                TEXT NOT NULL,
	categories         {{json}} NOT NULL,
	difficulty_reasons {{json}} NOT NULL,
	key_child_flags    {{json}} NOT NULL,
	key_child          INTEGER NOT NULL DEFAULT 0,
	guardian           {{json}},
	entrusted_guardian {{json}},
	living_situation   TEXT,
	schooling          TEXT,
	hukou_registered   INTEGER NOT NULL DEFAULT 0,
	registered_at      {{ts}} NOT NULL,
	last_visit_at      {{ts}},
	erased             INTEGER NOT NULL DEFAULT 0,
	version            {{bigint}} NOT NULL,
	last_position      {{bigint}} NOT NULL
)`, `CREATE INDEX IF NOT EXISTS rm_children_jurisdiction ON rm_children (jurisdiction)`}
}

// Apply implements Projection.
func (Children) Apply(ctx context.Context, tx *sql.Tx, d Dialect, events []domain.Recorded) error {
	for _, r := range events {
		id, ok := strings.CutPrefix(r.StreamID, "child-")
		if !ok {
			continue
		}
		if err := applyChild(ctx, tx, d, id, r); err != nil {
			return fmt.Errorf("child %s event %d (%s): %w", id, r.Version, r.Event.EventType(), err)
		}
	}
	return nil
}

func applyChild(ctx context.Context, tx *sql.Tx, d Dialect, id string, r domain.Recorded) error {
	set := func(assignments string, args ...any) error {
		args = append([]any{id, r.Version, r.Position}, args...)
		_, err := tx.ExecContext(ctx, `UPDATE rm_children SET version = $2, last_position = $3`+assignments+` WHERE child_id = $1`, args...)
		return err
	}
	switch e := r.Event.(type) {
	case domain.ChildRegistered:
		categories, reasons, flags, err := childTermLists(e.Categories, e.DifficultyReasons, e.KeyChildFlags)
		if err != nil {
			return err
		}
		guardian, err := childGuardianJSON(&e.Guardian)
		if err != nil {
			return err
		}
		entrusted, err := childGuardianJSON(e.EntrustedGuardian)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rm_children (child_id, jurisdiction, name, id_number, birth_date, sex,
			categories, difficulty_reasons, key_child_flags, key_child, guardian, entrusted_guardian, living_situation,
			schooling, hukou_registered, registered_at, erased, version, last_position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0, $17, $18)`,
			id, e.Jurisdiction.String(), e.Name, e.IDNumber, e.BirthDate.String(), e.Sex.String(),
			categories, reasons, flags, childFlag(len(e.KeyChildFlags) > 0), guardian, entrusted, e.LivingSituation,
			e.Schooling, childFlag(e.HukouRegistered), d.Time(r.OccurredAt), r.Version, r.Position)
		return err
	case domain.ChildProfileUpdated:
		if err := set(""); err != nil {
			return err
		}
		assignments, args, err := childProfileAssignments(e)
		if err != nil || len(assignments) == 0 {
			return err
		}
		// As the domain's fold does, an update after erasure changes nothing.
		_, err = tx.ExecContext(ctx, `UPDATE rm_children SET `+strings.Join(assignments, ", ")+` WHERE child_id = $1 AND erased = 0`,
			append([]any{id}, args...)...)
		return err
	case domain.VisitRecorded:
		// A visit entered late with an earlier business time does not move
		// the last visit backwards.
		return set(`, last_visit_at = CASE WHEN last_visit_at IS NULL OR last_visit_at < $4 THEN $4 ELSE last_visit_at END`, d.Time(r.OccurredAt))
	case domain.GuardianshipEntrustmentConfirmed:
		if err := set(""); err != nil {
			return err
		}
		g, err := childGuardianJSON(&e.EntrustedGuardian)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE rm_children SET entrusted_guardian = $2 WHERE child_id = $1 AND erased = 0`, id, g)
		return err
	case domain.ChildDataErased:
		// API.md: the personal fields become null and the birth date keeps
		// only its year.
		return set(`, erased = 1, name = NULL, id_number = NULL, guardian = NULL, entrusted_guardian = NULL,
			living_situation = NULL, schooling = NULL, birth_date = substr(birth_date, 1, 4) || '-01-01'`)
	default:
		// record.entry_corrected and anything else of the stream: the
		// version moves, the file does not.
		return set("")
	}
}

// childProfileAssignments spells the SET list of an update: only the fields
// it carries, with parameters from $2 on.
func childProfileAssignments(e domain.ChildProfileUpdated) ([]string, []any, error) {
	var assignments []string
	var args []any
	add := func(column string, value any) {
		args = append(args, value)
		assignments = append(assignments, column+" = $"+strconv.Itoa(len(args)+1))
	}
	if e.Name != nil {
		add("name", *e.Name)
	}
	if e.IDNumber != nil {
		add("id_number", *e.IDNumber)
	}
	if e.BirthDate != nil {
		add("birth_date", e.BirthDate.String())
	}
	if e.Sex != nil {
		add("sex", e.Sex.String())
	}
	if e.Jurisdiction != nil {
		add("jurisdiction", e.Jurisdiction.String())
	}
	if e.Categories != nil {
		js, err := childJSONList(termWords(*e.Categories))
		if err != nil {
			return nil, nil, err
		}
		add("categories", js)
	}
	if e.DifficultyReasons != nil {
		js, err := childJSONList(termWords(*e.DifficultyReasons))
		if err != nil {
			return nil, nil, err
		}
		add("difficulty_reasons", js)
	}
	if e.KeyChildFlags != nil {
		js, err := childJSONList(termWords(*e.KeyChildFlags))
		if err != nil {
			return nil, nil, err
		}
		add("key_child_flags", js)
		add("key_child", childFlag(len(*e.KeyChildFlags) > 0))
	}
	if e.Guardian != nil {
		js, err := childGuardianJSON(e.Guardian)
		if err != nil {
			return nil, nil, err
		}
		add("guardian", js)
	}
	if e.EntrustedGuardian != nil {
		js, err := childGuardianJSON(e.EntrustedGuardian)
		if err != nil {
			return nil, nil, err
		}
		add("entrusted_guardian", js)
	}
	if e.LivingSituation != nil {
		add("living_situation", *e.LivingSituation)
	}
	if e.Schooling != nil {
		add("schooling", *e.Schooling)
	}
	if e.HukouRegistered != nil {
		add("hukou_registered", childFlag(*e.HukouRegistered))
	}
	return assignments, args, nil
}

func childTermLists(c []domain.Category, r []domain.DifficultyReason, f []domain.KeyChildFlag) (categories, reasons, flags string, err error) {
	if categories, err = childJSONList(termWords(c)); err != nil {
		return
	}
	if reasons, err = childJSONList(termWords(r)); err != nil {
		return
	}
	flags, err = childJSONList(termWords(f))
	return
}

// childJSONList encodes words as a JSON array, [] for none.
func childJSONList(words []string) (string, error) {
	if words == nil {
		words = []string{}
	}
	b, err := json.Marshal(words)
	return string(b), err
}

// childGuardianJSON encodes a guardian as a JSON object, or nil (NULL).
func childGuardianJSON(g *domain.Guardian) (any, error) {
	if g == nil {
		return nil, nil
	}
	b, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func childFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}
