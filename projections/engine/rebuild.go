package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Progress is told how far a rebuild has come: events applied of the log's
// total when the rebuild started.
type Progress func(done, total int64)

// rebuildBatch is how many events one transaction of a rebuild applies
// when Options.RebuildBatch is not set.
const rebuildBatch = 20000

// Rebuild builds the named projections (all of them when names is empty)
// again from position 1 of the log, without downtime: into shadow copies
// of their tables (the same schema, names ending in __shadow), while the
// live tables keep answering queries and, if Run is running, keep
// following the log. Each page of the log (Options.RebuildBatch events) is
// read and decoded once and applied to every shadow, one transaction each.
// When the shadows have caught up with the log, each projection in turn
// swaps in one transaction: its live follower is held off, the shadow
// applies what the log gained meanwhile, replaces the live tables under
// their names and takes the checkpoint. The follower then continues from
// there. A rebuild that fails leaves the live tables as they were.
//
// On SQLite the swap makes the indexes of the new tables again (SQLite
// cannot rename an index), holding the database's write lock meanwhile.
func (e *Engine) Rebuild(ctx context.Context, progress Progress, names ...string) error {
	selected, err := e.named(names)
	if err != nil {
		return err
	}
	head, err := e.log.Head(ctx)
	if err != nil {
		return fmt.Errorf("rebuild: read head: %w", err)
	}
	shadows := make([]*shadow, len(selected))
	for i, p := range selected {
		shadows[i] = newShadow(p)
	}
	built := false
	defer func() {
		if !built {
			for _, s := range shadows {
				_ = s.drop(context.WithoutCancel(ctx), e.db)
			}
		}
	}()
	for _, s := range shadows {
		if err := s.create(ctx, e.db, e.dialect); err != nil {
			return fmt.Errorf("rebuild %s: %w", s.p.Name(), err)
		}
	}
	// The log up to the head as it was, then what it gained meanwhile.
	pos, err := e.buildShadows(ctx, shadows, 0, head.Position, func(done int64) {
		if progress != nil {
			progress(done, head.Position)
		}
	})
	if err != nil {
		return err
	}
	if err := e.indexShadows(ctx, shadows); err != nil {
		return err
	}
	// What the log gained while the pages above were applied, up to its
	// head now: a log that grows faster than the shadows apply must not
	// keep them from the swap, which applies the rest under its lock.
	if head, err = e.log.Head(ctx); err != nil {
		return fmt.Errorf("rebuild: read head: %w", err)
	}
	if head.Position > pos {
		if pos, err = e.buildShadows(ctx, shadows, pos, head.Position, nil); err != nil {
			return err
		}
	}
	for _, s := range shadows {
		if err := e.swapShadow(ctx, s, pos); err != nil {
			return fmt.Errorf("rebuild %s: %w", s.p.Name(), err)
		}
	}
	built = true
	return nil
}

// indexWorkers is how many statements making a rebuild's indexes run at
// once. PostgreSQL sorts a large index with workers of its own already;
// yet the demo county's eight later indexes of the deadline view and the
// timeline took 12.3 s one after the other and 9.3 s two at a time
// (two cores).
const indexWorkers = 2

// indexShadows makes the indexes every shadow left for later, indexWorkers
// statements at a time, then gathers each shadow's statistics.
func (e *Engine) indexShadows(ctx context.Context, shadows []*shadow) error {
	type job struct {
		s    *shadow
		stmt string
	}
	jobs := make(chan job)
	errs := make([]error, indexWorkers)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range indexWorkers {
		wg.Go(func() {
			for j := range jobs {
				if failed.Load() {
					continue // a statement failed: the rest are drained, not run
				}
				if _, err := e.db.ExecContext(ctx, j.stmt); err != nil {
					errs[w] = fmt.Errorf("rebuild %s: index shadow tables: %w", j.s.p.Name(), err)
					failed.Store(true)
				}
			}
		})
	}
	for _, s := range shadows {
		for _, stmt := range s.indexes(e.dialect) {
			jobs <- job{s: s, stmt: stmt}
		}
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, s := range shadows {
		if err := s.analyze(ctx, e.db, e.dialect); err != nil {
			return fmt.Errorf("rebuild %s: %w", s.p.Name(), err)
		}
	}
	return nil
}

// decodedPage is a page of the log read and decoded ahead of its apply.
type decodedPage struct {
	events []domain.Recorded
	err    error
}

// buildShadows applies the log after pos (up to until, or to its end when
// until is 0) to the shadows, page by page; the next page is read and
// decoded while the shadows apply the current one, and waits there: no
// page is queued besides those two (a queued page of 20 000 decoded events
// held 25–35 MB more at the peak of a startup rebuild, for no gain in
// speed). It returns the position reached.
func (e *Engine) buildShadows(ctx context.Context, shadows []*shadow, pos, until int64, progress func(int64)) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan decodedPage)
	go func() {
		defer close(pages)
		send := func(pg decodedPage) bool {
			select {
			case pages <- pg:
				return true
			case <-ctx.Done():
				return false
			}
		}
		at := pos
		for until == 0 || at < until {
			limit := e.rebuildBatch()
			if until > 0 {
				limit = int(min(int64(limit), until-at))
			}
			stored, err := e.log.ReadLog(ctx, at, limit)
			if err != nil {
				send(decodedPage{err: fmt.Errorf("rebuild: read log after %d: %w", at, err)})
				return
			}
			if len(stored) == 0 {
				return
			}
			events, err := e.codec.Decode(stored)
			if err != nil {
				send(decodedPage{err: fmt.Errorf("rebuild: %w: %v", errPoison, err)})
				return
			}
			if !send(decodedPage{events: events}) {
				return
			}
			at = stored[len(stored)-1].GlobalPosition
		}
	}()
	for pg := range pages {
		if pg.err != nil {
			return pos, pg.err
		}
		if err := e.applyShadows(ctx, shadows, pg.events); err != nil {
			return pos, err
		}
		pos = pg.events[len(pg.events)-1].Position
		if progress != nil {
			progress(pos)
		}
	}
	return pos, ctx.Err()
}

// applyShadows applies a page to every shadow: on PostgreSQL side by
// side, each in its own transaction; on SQLite, whose file has one writer
// at a time, in one transaction for all (one turn of the write lock and
// one commit per page, as the live path does: group.go).
func (e *Engine) applyShadows(ctx context.Context, shadows []*shadow, events []domain.Recorded) error {
	if e.dialect == readdb.SQLite || len(shadows) == 1 {
		return e.applyShadow(ctx, shadows, events)
	}
	errs := make([]error, len(shadows))
	var wg sync.WaitGroup
	for i, s := range shadows {
		wg.Go(func() { errs[i] = e.applyShadow(ctx, []*shadow{s}, events) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// applyShadow applies events to shadows in one transaction, retrying
// with backoff as the live path does.
func (e *Engine) applyShadow(ctx context.Context, shadows []*shadow, events []domain.Recorded) error {
	var last error
	for attempt := range e.opts.Attempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
			}
		}
		if last = e.applyShadowOnce(ctx, shadows, events); last == nil {
			return nil
		}
	}
	return fmt.Errorf("rebuild: apply events %d to %d: %w", events[0].Position, events[len(events)-1].Position, last)
}

func (e *Engine) applyShadowOnce(ctx context.Context, shadows []*shadow, events []domain.Recorded) error {
	ps := make([]Projection, len(shadows))
	for i, s := range shadows {
		ps[i] = s.p
	}
	var tx readdb.Tx
	var commit func() error
	if e.dialect == readdb.Postgres {
		copying, end, err := e.beginCopying(ctx, ps...)
		if err != nil {
			return err
		}
		defer end()
		tx, commit = copying, copying.Commit
	} else {
		plain, err := e.begin(ctx, ps...)
		if err != nil {
			return err
		}
		defer plain.Rollback()
		tx, commit = plain, plain.Commit
	}
	for _, s := range shadows {
		if err := s.p.Apply(ctx, s.tx(tx), e.dialect, events); err != nil {
			return fmt.Errorf("%s: %w", s.p.Name(), err)
		}
	}
	return commit()
}

// swapShadow makes a shadow, built up to pos, the projection's live tables,
// holding its follower off in this process; the checkpoint row is locked
// against followers elsewhere, whose next transaction finds it moved.
func (e *Engine) swapShadow(ctx context.Context, s *shadow, pos int64) error {
	name := s.p.Name()
	turn := e.turn(name)
	turn.Lock()
	defer turn.Unlock()
	tx, err := e.begin(ctx, s.p)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if e.dialect == readdb.Postgres {
		// The checkpoint row first, as every transaction of the projection
		// takes it (lockCheckpoint): a follower elsewhere that holds it
		// finishes before; one that comes after waits, then finds the
		// checkpoint moved and rolls back. Then the live tables, against
		// readers.
		if _, err := e.lockCheckpoint(ctx, tx, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `LOCK TABLE `+strings.Join(s.tables, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock live tables: %w", err)
		}
	}
	// What the log gained since the shadow's last page, in this transaction.
	for {
		stored, err := e.log.ReadLog(ctx, pos, e.rebuildBatch())
		if err != nil {
			return fmt.Errorf("read log after %d: %w", pos, err)
		}
		if len(stored) == 0 {
			break
		}
		events, err := e.codec.Decode(stored)
		if err != nil {
			return fmt.Errorf("%w: %v", errPoison, err)
		}
		if err := s.p.Apply(ctx, s.tx(tx), e.dialect, events); err != nil {
			return fmt.Errorf("apply events %d to %d: %w", events[0].Position, events[len(events)-1].Position, err)
		}
		pos = events[len(events)-1].Position
	}
	if err := s.swap(ctx, tx, e.dialect); err != nil {
		return err
	}
	if err := saveCheckpoint(ctx, tx, name, pos); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit swap: %w", err)
	}
	e.mu.Lock()
	delete(e.stopped, name)
	e.mu.Unlock()
	e.mark(name, pos)
	return nil
}

func (e *Engine) rebuildBatch() int {
	if e.opts.RebuildBatch > 0 {
		return e.opts.RebuildBatch
	}
	return rebuildBatch
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
