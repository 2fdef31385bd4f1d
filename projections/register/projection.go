package register

import (
	"context"
	"fmt"
	"slices"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection keeps the register's view (rm_workers, rm_worker_posts) for
// the engine.
type Projection struct{}

// Name implements engine.Projection.
func (Projection) Name() string { return "register" }

// Tables implements engine.Projection.
func (Projection) Tables() []string { return []string{"rm_workers", "rm_worker_posts"} }

// Schema implements engine.Projection. facts is the worker's
// domain.WorkerFacts as a snapshot (the domain's binary layout, named in
// the DDL so that another layout rebuilds the view); every other column is
// derived from it. A post's until_at is NULL while it is held; its name is
// the worker's (the register is real-name by law).
func (Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_workers (
	worker_id    TEXT PRIMARY KEY,
	role         TEXT NOT NULL,
	jurisdiction TEXT NOT NULL,
	active       INTEGER NOT NULL,
	facts        {{bytes}} NOT NULL /* ` + domain.SnapshotLayout + ` */
)`, `CREATE INDEX IF NOT EXISTS rm_workers_jurisdiction ON rm_workers (jurisdiction)`,
		`CREATE TABLE IF NOT EXISTS rm_worker_posts (
	worker_id    TEXT NOT NULL,
	seq          INTEGER NOT NULL,
	role         TEXT NOT NULL,
	jurisdiction TEXT NOT NULL,
	name         TEXT NOT NULL,
	from_at      {{ts}} NOT NULL,
	until_at     {{ts}},
	PRIMARY KEY (worker_id, seq)
)`, `CREATE INDEX IF NOT EXISTS rm_worker_posts_post ON rm_worker_posts (jurisdiction, role)`}
}

// Apply implements engine.Projection: it loads the facts of the workers
// whose streams the batch continues, applies the batch's events to them,
// and writes each touched worker's row and posts once.
func (Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	ids := domain.TouchedIDs(events, domain.StreamWorker)
	if len(ids) == 0 {
		return nil
	}
	workers, err := loadFacts(ctx, tx, domain.ContinuedIDs(events, domain.StreamWorker))
	if err != nil {
		return err
	}
	for _, r := range events {
		if r.StreamID.Kind() != domain.StreamWorker {
			continue
		}
		f := workers[r.StreamID.ID()]
		if f == nil {
			f = &domain.WorkerFacts{}
			workers[r.StreamID.ID()] = f
		}
		f.Apply(r)
	}
	return saveFacts(ctx, tx, d, ids, workers)
}

// loadFacts reads the snapshots of the workers named; a worker the view
// does not have yet is absent.
func loadFacts(ctx context.Context, tx readdb.Tx, ids []string) (map[string]*domain.WorkerFacts, error) {
	out := make(map[string]*domain.WorkerFacts, len(ids))
	err := readdb.Snapshots(ctx, tx, "rm_workers", "worker_id", "facts", ids, func(id string, raw []byte) error {
		f := &domain.WorkerFacts{}
		if err := f.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("facts of worker %s: %w", id, err)
		}
		out[id] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load workers: %w", err)
	}
	return out, nil
}

// saveFacts writes the rows and posts of the workers named, derived from
// their facts. A stream whose registration the view has not seen has no
// row.
func saveFacts(ctx context.Context, tx readdb.Tx, d readdb.Dialect, ids []string, workers map[string]*domain.WorkerFacts) error {
	ids = slices.Clone(ids)
	slices.Sort(ids) // a stable lock order
	var rows, posts [][]any
	var saved []string
	for _, id := range ids {
		f := workers[id]
		if f == nil || f.ID == "" {
			continue
		}
		facts, err := f.MarshalBinary()
		if err != nil {
			return fmt.Errorf("save worker %s: %w", id, err)
		}
		rows = append(rows, []any{id, f.Role.String(), f.Jurisdiction.String(), readdb.Flag(f.Active()), facts})
		for i, t := range f.Tenures() {
			posts = append(posts, []any{id, i, f.Role.String(), t.Jurisdiction.String(), f.Name, d.Time(t.From), d.Time(t.Until)})
		}
		saved = append(saved, id)
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_workers (worker_id, role, jurisdiction, active, facts) VALUES `, `
			ON CONFLICT (worker_id) DO UPDATE SET role = excluded.role, jurisdiction = excluded.jurisdiction,
			active = excluded.active, facts = excluded.facts`, rows); err != nil {
		return fmt.Errorf("save workers: %w", err)
	}
	err := readdb.Chunks(saved, func(piece []string) error {
		in, args := readdb.InList(piece)
		_, err := tx.ExecContext(ctx, `DELETE FROM rm_worker_posts WHERE worker_id IN (`+in+`)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("save workers' posts: %w", err)
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_worker_posts (worker_id, seq, role, jurisdiction, name, from_at, until_at) VALUES `,
		``, posts); err != nil {
		return fmt.Errorf("save workers' posts: %w", err)
	}
	return nil
}
