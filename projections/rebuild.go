package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/careledger/careledger/commands"
)

// Progress is told how far a rebuild has come: events applied of the log's
// total when the rebuild started.
type Progress func(done, total int64)

// Rebuild empties the named projections' tables and checkpoints (all of
// them when names is empty) and applies the log again from position 1, in
// one pass: each page of the log is read and decoded once and applied to
// every projection, each in its own transaction with its checkpoint. It runs with the projections not being
// followed (the server stopped, or before Run). A zero-downtime rebuild for
// a running server (shadow tables, swap) is not built yet.
func (e *Engine) Rebuild(ctx context.Context, progress Progress, names ...string) error {
	selected, err := e.named(names)
	if err != nil {
		return err
	}
	head, err := e.log.Head(ctx)
	if err != nil {
		return fmt.Errorf("rebuild: read head: %w", err)
	}
	for _, p := range selected {
		tx, err := e.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("rebuild %s: %w", p.Name(), err)
		}
		for _, table := range p.Tables() {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				tx.Rollback()
				return fmt.Errorf("rebuild %s: empty %s: %w", p.Name(), table, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM projection_checkpoints WHERE name = $1`, p.Name()); err != nil {
			tx.Rollback()
			return fmt.Errorf("rebuild %s: %w", p.Name(), err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("rebuild %s: %w", p.Name(), err)
		}
		e.mu.Lock()
		e.applied[p.Name()] = 0
		delete(e.stopped, p.Name())
		e.mu.Unlock()
	}
	// One pass over the log feeds every selected projection: each page is
	// read and decoded once, then applied to each projection in its own
	// transaction with its own checkpoint.
	total := head.Position
	var pos int64
	for pos < head.Position {
		page, err := e.log.ReadLog(ctx, pos, e.opts.Batch)
		if err != nil {
			return fmt.Errorf("rebuild: read log after %d: %w", pos, err)
		}
		if len(page) == 0 {
			break
		}
		if page[len(page)-1].GlobalPosition > head.Position {
			page = page[:head.Position-pos]
		}
		events, decodeErr := commands.DecodeEvents(e.registry, page)
		for _, p := range selected {
			if decodeErr != nil {
				// apply finds the event that cannot be read, applies what
				// precedes it and reports it.
				err = e.apply(ctx, p, page)
			} else {
				err = e.applyDecoded(ctx, p, events)
			}
			if err != nil {
				return fmt.Errorf("rebuild %s: %w", p.Name(), err)
			}
		}
		pos = page[len(page)-1].GlobalPosition
		if progress != nil {
			progress(pos, total)
		}
	}
	return nil
}

func (e *Engine) named(names []string) ([]Projection, error) {
	if len(names) == 0 {
		return e.projections, nil
	}
	var out []Projection
	for _, n := range names {
		found := false
		for _, p := range e.projections {
			if p.Name() == n {
				out, found = append(out, p), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no projection named %q", n)
		}
	}
	return out, nil
}

// Lag is how far a projection trails the log.
type Lag struct {
	Name     string
	Behind   int64         // head position − checkpoint
	Duration time.Duration // since the first event not yet applied was recorded
	Stopped  error
}

// Lags reports every projection's lag behind the log's head.
func (e *Engine) Lags(ctx context.Context) ([]Lag, error) {
	head, err := e.log.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("lag: read head: %w", err)
	}
	var out []Lag
	for _, s := range e.Statuses() {
		l := Lag{Name: s.Name, Behind: head.Position - s.Position, Stopped: s.Stopped}
		if l.Behind > 0 {
			next, err := e.log.ReadLog(ctx, s.Position, 1)
			if err != nil {
				return nil, fmt.Errorf("lag: read log: %w", err)
			}
			if len(next) == 1 {
				l.Duration = time.Since(next[0].RecordedAt)
			}
		}
		out = append(out, l)
	}
	return out, nil
}
