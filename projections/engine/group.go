package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// On SQLite, whose file has one writer at a time, the projections that
// follow in the process that feeds them apply each page of the log
// together, in one transaction: one turn of the file's write lock and one
// commit (one fsync) per page rather than one per projection. Ten
// projections each taking the lock for every page kept the log's own
// writer waiting behind ten transactions; see followTogether.
//
// A projection's checkpoint still moves with its own rows, in the same
// transaction, so each stays where it is if the transaction fails. When
// the shared transaction fails, each projection applies the page alone,
// as it does when it follows alone (applyDecoded: retries, a stop that is
// its own), so that one projection's bad event never holds up the others.

// together reports whether the projections follow together (SQLite, in
// the feeding process).
func (e *Engine) together() bool { return e.inProcess != nil && e.dialect == readdb.SQLite }

// followTogether runs every projection: each catches up from the log on
// its own, then they apply what the notices announce together. It returns
// once msgs closes (ctx ended).
func (e *Engine) followTogether(ctx context.Context, msgs <-chan *message.Message) {
	pages := &pageConn{db: e.db}
	defer pages.close()
	notices := make(chan page)
	go e.receive(groupName, msgs, notices)
	for _, p := range e.projections {
		if err := e.catchUp(ctx, p, 0); err != nil {
			e.stop(ctx, p, err)
		}
	}
	for pg := range notices {
		if err := e.applyTogether(ctx, pg.To, pages); err != nil && ctx.Err() == nil {
			e.opts.Logger.Error("projections: apply together", "error", err)
		}
	}
}

// groupName names the subscription of the projections following together.
const groupName = "projections"

// applyTogether brings every running projection up to position to, a page
// a transaction on pages' connection.
func (e *Engine) applyTogether(ctx context.Context, to int64, pages *pageConn) error {
	for ctx.Err() == nil {
		behind := e.behind(to)
		if len(behind) == 0 {
			return nil
		}
		from, before := to, int64(0)
		for _, p := range behind {
			from = min(from, e.position(p.Name()))
			before += e.position(p.Name())
		}
		moved := func() bool {
			after := int64(0)
			for _, p := range behind {
				after += e.position(p.Name())
			}
			return after != before
		}
		window, ok := e.recent.after(from, e.opts.Batch)
		if !ok {
			// Further behind than the events decoded here: each reads
			// the log on its own.
			for _, p := range behind {
				if err := e.catchUp(ctx, p, to); err != nil {
					e.stop(ctx, p, err)
				}
			}
			if !moved() {
				return nil // nothing more to read now; the next notice tries again
			}
			continue
		}
		parts := make([]part, 0, len(behind))
		for _, p := range behind {
			cp := e.position(p.Name())
			if i := int(cp - window[0].Position + 1); i < len(window) {
				parts = append(parts, part{p: p, from: cp, events: window[i:]})
			}
		}
		if err := e.applyParts(ctx, parts, pages); err == nil {
			continue
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		// Each on its own: retries, and a stop that is its own.
		for _, pt := range parts {
			if err := e.applyDecoded(ctx, pt.p, pt.events); err != nil {
				e.stop(ctx, pt.p, err)
			}
		}
		if !moved() && len(e.behind(to)) == len(behind) {
			return nil // the next notice tries again
		}
	}
	return ctx.Err()
}

// behind lists the running projections whose checkpoint is before to.
func (e *Engine) behind(to int64) []Projection {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Projection
	for _, p := range e.projections {
		if e.stopped[p.Name()] == nil && e.applied[p.Name()] < to {
			out = append(out, p)
		}
	}
	return out
}

// part is what one projection applies of a page: the events after its
// checkpoint from.
type part struct {
	p      Projection
	from   int64
	events []domain.Recorded
}

// errMoved: a checkpoint was not where the page found it (a rebuild's
// swap moved it); the page is applied projection by projection instead.
var errMoved = errors.New("a checkpoint moved")

// applyParts applies the parts in one transaction on pages' connection,
// each projection's rows with its checkpoint, holding every projection's
// turn (in name order) as applyOnce holds one.
func (e *Engine) applyParts(ctx context.Context, parts []part, pages *pageConn) error {
	if len(parts) == 0 {
		return nil
	}
	ordered := slices.Clone(parts)
	slices.SortFunc(ordered, func(a, b part) int { return strings.Compare(a.p.Name(), b.p.Name()) })
	for _, pt := range ordered {
		turn := e.turn(pt.p.Name())
		turn.Lock()
		defer turn.Unlock()
	}
	ps := make([]Projection, len(parts))
	for i, pt := range parts {
		ps[i] = pt.p
	}
	tx, err := pages.begin(ctx, e, ps)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, pt := range parts {
		name := pt.p.Name()
		cp, err := e.lockCheckpoint(ctx, tx, name)
		if err != nil {
			return err
		}
		if cp != pt.from {
			return fmt.Errorf("%s: %w", name, errMoved)
		}
		if err := pt.p.Apply(ctx, tx, e.dialect, pt.events); err != nil {
			return fmt.Errorf("%s: apply events %d to %d: %w", name, pt.events[0].Position, pt.events[len(pt.events)-1].Position, err)
		}
		if err := advanceCheckpoint(ctx, tx, name, pt.from, pt.events[len(pt.events)-1].Position); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	marks := make(map[string]int64, len(parts))
	for _, pt := range parts {
		marks[pt.p.Name()] = pt.events[len(pt.events)-1].Position
	}
	e.markAll(marks)
	return nil
}
