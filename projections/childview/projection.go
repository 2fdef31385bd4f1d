package childview

import (
	"context"
	"fmt"
	"slices"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection keeps the child-file view (rm_children) for the engine.
type Projection struct{}

// Name implements engine.Projection.
func (Projection) Name() string { return "children" }

// Tables implements engine.Projection.
func (Projection) Tables() []string { return []string{"rm_children"} }

// Schema implements engine.Projection. facts is the child's
// domain.ChildFacts as a snapshot (the domain's compact binary layout,
// named in the DDL so that another layout rebuilds the view); every
// other column is derived from it, for the list's filters: the child's
// place, its categories as a JSON array of words, and key_child (0 or 1).
// Find and List read the files from facts. No column holds personal data.
func (Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_children (
	child_id     TEXT PRIMARY KEY,
	jurisdiction TEXT NOT NULL,
	categories   {{json}} NOT NULL,
	key_child    INTEGER NOT NULL DEFAULT 0,
	facts        {{bytes}} NOT NULL /* ` + domain.SnapshotLayout + ` */
)`, `CREATE INDEX IF NOT EXISTS rm_children_jurisdiction ON rm_children (jurisdiction)`}
}

// Apply implements engine.Projection: it loads the facts of the children
// whose streams the batch continues, applies the batch's events to them
// (a child new to the view starts from no facts), and writes each touched
// child's row once, derived from its facts.
func (Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	ids := domain.TouchedIDs(events, domain.StreamChild)
	if len(ids) == 0 {
		return nil
	}
	files, err := loadFacts(ctx, tx, domain.ContinuedIDs(events, domain.StreamChild))
	if err != nil {
		return err
	}
	stored := make(map[string]bool, len(files))
	for id := range files {
		stored[id] = true
	}
	for _, r := range events {
		if r.StreamID.Kind() != domain.StreamChild {
			continue
		}
		f := files[r.StreamID.ID()]
		if f == nil {
			f = &domain.ChildFacts{}
			files[r.StreamID.ID()] = f
		}
		f.Apply(r)
	}
	return saveFacts(ctx, tx, d, ids, files, stored)
}

// loadFacts reads the snapshots of the children named; a child the view
// does not have yet is absent.
func loadFacts(ctx context.Context, tx readdb.Tx, ids []string) (map[string]*domain.ChildFacts, error) {
	files := make(map[string]*domain.ChildFacts, len(ids))
	err := readdb.Snapshots(ctx, tx, "rm_children", "child_id", "facts", ids, func(id string, raw []byte) error {
		f := &domain.ChildFacts{}
		if err := f.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("facts of child %s: %w", id, err)
		}
		files[id] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load children: %w", err)
	}
	return files, nil
}

const columns = `child_id, jurisdiction, categories, key_child, facts`

// saveFacts writes the rows of the children named, derived from their
// facts, with the facts beside them: new rows, and rows of the children
// stored names, replaced. A stream whose registration the view has not
// seen has no file and no row.
func saveFacts(ctx context.Context, tx readdb.Tx, d readdb.Dialect, ids []string, files map[string]*domain.ChildFacts, stored map[string]bool) error {
	ids = slices.Clone(ids)
	slices.Sort(ids) // a stable lock order
	var fresh, replaced [][]any
	for _, id := range ids {
		f := files[id]
		if !f.Opened() {
			continue
		}
		row, err := rowOf(id, f)
		if err != nil {
			return fmt.Errorf("save child %s: %w", id, err)
		}
		if stored[id] {
			replaced = append(replaced, row)
		} else {
			fresh = append(fresh, row)
		}
	}
	if err := readdb.Upsert(ctx, tx, d, `INSERT INTO rm_children (`+columns+`) VALUES `, `
			ON CONFLICT (child_id) DO UPDATE SET jurisdiction = excluded.jurisdiction, categories = excluded.categories,
			key_child = excluded.key_child, facts = excluded.facts`, fresh, replaced); err != nil {
		return fmt.Errorf("save children: %w", err)
	}
	return nil
}

// rowOf is the row of rm_children for the facts of the child whose stream
// is child-<id>, in column order.
func rowOf(id string, f *domain.ChildFacts) ([]any, error) {
	facts, err := f.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return []any{id, f.Jurisdiction.String(), wordList(f.Categories), readdb.Flag(f.IsKeyChild()), facts}, nil
}

// wordList spells vocabulary words as a JSON array, as json.Marshal would
// but without its reflection: a vocabulary word is made of lower-case
// letters, digits and "_" only, so it needs no escaping.
func wordList[T fmt.Stringer](words []T) string {
	b := make([]byte, 0, 2+24*len(words))
	b = append(b, '[')
	for i, w := range words {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, w.String()...)
		b = append(b, '"')
	}
	return string(append(b, ']'))
}
