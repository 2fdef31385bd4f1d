package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

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

// childRow is one row of rm_children, folded in memory.
type childRow struct {
	id, jurisdiction           string
	name, idNumber             *string
	birthDate, sex             string
	categories, reasons, flags string
	keyChild                   bool
	guardian, entrusted        *string
	livingSituation, schooling *string
	hukouRegistered            bool
	registeredAt               time.Time
	lastVisitAt                *time.Time
	erased                     bool
	version, lastPosition      int64
	changed                    bool
}

const childColumns = `child_id, jurisdiction, name, id_number, birth_date, sex, categories, difficulty_reasons,
	key_child_flags, key_child, guardian, entrusted_guardian, living_situation, schooling, hukou_registered,
	registered_at, last_visit_at, erased, version, last_position`

// Apply implements Projection: it reads the rows of the children the batch
// touches, folds the events into them in memory, and writes each changed
// row once — a few statements per batch, not one per event.
func (Children) Apply(ctx context.Context, tx Tx, d Dialect, events []domain.Recorded) error {
	ids := touched(events, "child-")
	if len(ids) == 0 {
		return nil
	}
	rows, err := loadChildren(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, r := range events {
		id, ok := strings.CutPrefix(r.StreamID, "child-")
		if !ok {
			continue
		}
		if err := foldChild(rows, id, r); err != nil {
			return fmt.Errorf("child %s event %d (%s): %w", id, r.Version, r.Event.EventType(), err)
		}
	}
	return saveChildren(ctx, tx, d, rows)
}

func loadChildren(ctx context.Context, tx Tx, ids []string) (map[string]*childRow, error) {
	rows := map[string]*childRow{}
	for start := 0; start < len(ids); start += 500 {
		in, args := inList(ids[start:min(start+500, len(ids))])
		q, err := tx.QueryContext(ctx, `SELECT `+childColumns+` FROM rm_children WHERE child_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("load children: %w", err)
		}
		for q.Next() {
			c := &childRow{}
			var keyChild, hukou, erased int
			var registered, lastVisit scannedTime
			if err := q.Scan(&c.id, &c.jurisdiction, &c.name, &c.idNumber, &c.birthDate, &c.sex, &c.categories, &c.reasons,
				&c.flags, &keyChild, &c.guardian, &c.entrusted, &c.livingSituation, &c.schooling, &hukou,
				&registered, &lastVisit, &erased, &c.version, &c.lastPosition); err != nil {
				q.Close()
				return nil, fmt.Errorf("load children: %w", err)
			}
			c.keyChild, c.hukouRegistered, c.erased = keyChild == 1, hukou == 1, erased == 1
			c.registeredAt, c.lastVisitAt = registered.T, lastVisit.ptr()
			rows[c.id] = c
		}
		q.Close()
		if err := q.Err(); err != nil {
			return nil, fmt.Errorf("load children: %w", err)
		}
	}
	return rows, nil
}

// foldChild applies one event of a child's stream to its row, as the SQL
// of the view did: events of a child the view does not have change
// nothing, every other event moves the version, and after erasure only
// the version moves.
func foldChild(rows map[string]*childRow, id string, r domain.Recorded) error {
	at := r.OccurredAt.UTC()
	if e, ok := r.Event.(domain.ChildRegistered); ok {
		if rows[id] != nil {
			return fmt.Errorf("the child view already has child %s", id)
		}
		categories, reasons, flags, err := childTermLists(e.Categories, e.DifficultyReasons, e.KeyChildFlags)
		if err != nil {
			return err
		}
		guardian, err := childGuardianText(&e.Guardian)
		if err != nil {
			return err
		}
		entrusted, err := childGuardianText(e.EntrustedGuardian)
		if err != nil {
			return err
		}
		rows[id] = &childRow{id: id, jurisdiction: e.Jurisdiction.String(), name: &e.Name, idNumber: &e.IDNumber,
			birthDate: e.BirthDate.String(), sex: e.Sex.String(), categories: categories, reasons: reasons, flags: flags,
			keyChild: len(e.KeyChildFlags) > 0, guardian: guardian, entrusted: entrusted,
			livingSituation: &e.LivingSituation, schooling: &e.Schooling, hukouRegistered: e.HukouRegistered,
			registeredAt: at, version: r.Version, lastPosition: r.Position, changed: true}
		return nil
	}
	c := rows[id]
	if c == nil {
		return nil
	}
	c.version, c.lastPosition, c.changed = r.Version, r.Position, true
	switch e := r.Event.(type) {
	case domain.ChildProfileUpdated:
		// As the domain's fold does, an update after erasure changes nothing.
		if !c.erased {
			return c.update(e)
		}
	case domain.VisitRecorded:
		// A visit entered late with an earlier business time does not move
		// the last visit backwards.
		if c.lastVisitAt == nil || c.lastVisitAt.Before(at) {
			c.lastVisitAt = &at
		}
	case domain.GuardianshipEntrustmentConfirmed:
		if !c.erased {
			g, err := childGuardianText(&e.EntrustedGuardian)
			if err != nil {
				return err
			}
			c.entrusted = g
		}
	case domain.ChildDataErased:
		// API.md: the personal fields become null and the birth date keeps
		// only its year.
		c.erased = true
		c.name, c.idNumber, c.guardian, c.entrusted, c.livingSituation, c.schooling = nil, nil, nil, nil, nil, nil
		c.birthDate = birthYear(c.birthDate)
	}
	// record.entry_corrected and anything else of the stream: the version
	// moves, the file does not.
	return nil
}

// update sets the fields a profile update carries.
func (c *childRow) update(e domain.ChildProfileUpdated) error {
	if e.Name != nil {
		c.name = ptrTo(*e.Name)
	}
	if e.IDNumber != nil {
		c.idNumber = ptrTo(*e.IDNumber)
	}
	if e.BirthDate != nil {
		c.birthDate = e.BirthDate.String()
	}
	if e.Sex != nil {
		c.sex = e.Sex.String()
	}
	if e.Jurisdiction != nil {
		c.jurisdiction = e.Jurisdiction.String()
	}
	var err error
	if e.Categories != nil {
		if c.categories, err = childJSONList(termWords(*e.Categories)); err != nil {
			return err
		}
	}
	if e.DifficultyReasons != nil {
		if c.reasons, err = childJSONList(termWords(*e.DifficultyReasons)); err != nil {
			return err
		}
	}
	if e.KeyChildFlags != nil {
		if c.flags, err = childJSONList(termWords(*e.KeyChildFlags)); err != nil {
			return err
		}
		c.keyChild = len(*e.KeyChildFlags) > 0
	}
	if e.Guardian != nil {
		if c.guardian, err = childGuardianText(e.Guardian); err != nil {
			return err
		}
	}
	if e.EntrustedGuardian != nil {
		if c.entrusted, err = childGuardianText(e.EntrustedGuardian); err != nil {
			return err
		}
	}
	if e.LivingSituation != nil {
		c.livingSituation = ptrTo(*e.LivingSituation)
	}
	if e.Schooling != nil {
		c.schooling = ptrTo(*e.Schooling)
	}
	if e.HukouRegistered != nil {
		c.hukouRegistered = *e.HukouRegistered
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

func saveChildren(ctx context.Context, tx Tx, d Dialect, rows map[string]*childRow) error {
	all := make([]*childRow, 0, len(rows))
	for _, c := range rows {
		if c.changed {
			all = append(all, c)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id }) // a stable lock order
	values := make([][]any, len(all))
	for i, c := range all {
		// Personal data never reaches a read model (个人信息保护法 art. 28):
		// name, ID number, guardians, living situation and schooling stay
		// NULL and the birth date keeps its year; the API reads them from
		// the child's own events through the key service.
		values[i] = []any{c.id, c.jurisdiction, nil, nil, birthYear(c.birthDate), c.sex, c.categories, c.reasons,
			c.flags, childFlag(c.keyChild), nil, nil, nil, nil,
			childFlag(c.hukouRegistered), d.Time(c.registeredAt), d.timeArg(c.lastVisitAt), childFlag(c.erased),
			c.version, c.lastPosition}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_children (`+childColumns+`) VALUES `, `
			ON CONFLICT (child_id) DO UPDATE SET jurisdiction = excluded.jurisdiction, name = excluded.name,
			id_number = excluded.id_number, birth_date = excluded.birth_date, sex = excluded.sex,
			categories = excluded.categories, difficulty_reasons = excluded.difficulty_reasons,
			key_child_flags = excluded.key_child_flags, key_child = excluded.key_child, guardian = excluded.guardian,
			entrusted_guardian = excluded.entrusted_guardian, living_situation = excluded.living_situation,
			schooling = excluded.schooling, hukou_registered = excluded.hukou_registered,
			registered_at = excluded.registered_at, last_visit_at = excluded.last_visit_at, erased = excluded.erased,
			version = excluded.version, last_position = excluded.last_position`, values); err != nil {
		return fmt.Errorf("save children: %w", err)
	}
	return nil
}

// birthYear is a birth date with only its year: "2015-03-04" → "2015-01-01".
func birthYear(date string) string { return date[:min(len(date), 4)] + "-01-01" }

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

// childGuardianText encodes a guardian as a JSON object, or nil (NULL).
func childGuardianText(g *domain.Guardian) (*string, error) {
	if g == nil {
		return nil, nil
	}
	b, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

func childFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}
