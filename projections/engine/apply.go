package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/dberr"
	"github.com/careledger/careledger/projections/readdb"
)

// CatchUp applies, for every projection, all events up to the head of the
// log as it is now. It is what tools and the tests use.
func (e *Engine) CatchUp(ctx context.Context) error {
	head, err := e.log.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: read head: %w", err)
	}
	for _, p := range e.projections {
		if err := e.catchUp(ctx, p, head.Position); err != nil {
			return fmt.Errorf("projection %s: %w", p.Name(), err)
		}
	}
	return nil
}

// catchUp applies pages read from the log after the projection's
// checkpoint, until the log ends or, when until > 0, until it is reached.
func (e *Engine) catchUp(ctx context.Context, p Projection, until int64) error {
	for {
		cp := e.position(p.Name())
		if until > 0 && cp >= until {
			return nil
		}
		if decoded, ok := e.recent.after(cp, e.opts.Batch); ok {
			if err := e.applyDecoded(ctx, p, decoded); err != nil {
				return err
			}
			continue
		}
		events, err := e.log.ReadLog(ctx, cp, e.opts.Batch)
		if err != nil {
			return fmt.Errorf("read log after %d: %w", cp, err)
		}
		if len(events) == 0 {
			return nil
		}
		if err := e.apply(ctx, p, events); err != nil {
			return err
		}
	}
}

// errPoison marks an event the projection cannot take: retrying is useless.
var errPoison = errors.New("event cannot be applied")

// apply applies consecutive events in one transaction with the checkpoint,
// retrying with backoff; an event that cannot be decoded is not retried.
func (e *Engine) apply(ctx context.Context, p Projection, stored []eventstore.Event) error {
	events, err := e.codec.Decode(stored)
	if err != nil {
		// Apply what precedes the event that cannot be read, then stop on it.
		good := 0
		for ; good < len(stored); good++ {
			if _, err := e.codec.Decode(stored[good : good+1]); err != nil {
				break
			}
		}
		if good > 0 {
			if err := e.apply(ctx, p, stored[:good]); err != nil {
				return err
			}
		}
		return fmt.Errorf("%w: %v", errPoison, err)
	}
	return e.applyDecoded(ctx, p, events)
}

// applyDecoded applies decoded events, retrying with backoff. A full disk
// is not the events' fault and counts no attempt: the projection waits for
// space, trying again every storageFullRetry at most, and goes on by
// itself once there is some (a projection that stopped would wait for a
// rebuild).
func (e *Engine) applyDecoded(ctx context.Context, p Projection, events []domain.Recorded) error {
	var last error
	full := time.Duration(0) // the wait while the disk is full; 0: it is not
	for attempt := 0; attempt < e.opts.Attempts; {
		if attempt > 0 || full > 0 {
			wait := time.Duration(10<<attempt) * time.Millisecond
			if full > 0 {
				wait = full
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		last = dberr.Translate(e.applyOnce(ctx, p, events))
		if errors.Is(last, eventstore.ErrStorageFull) {
			if full == 0 {
				e.opts.Logger.Error("projections: the database's disk is full; the projection waits for space", "projection", p.Name(),
					"from", events[0].Position, "to", events[len(events)-1].Position, "error", last)
			}
			full = min(max(2*full, storageFullFirstRetry), storageFullRetry)
			continue
		}
		if full > 0 {
			e.opts.Logger.Info("projections: space returned; the projection goes on", "projection", p.Name())
			full = 0
		}
		if last == nil || errors.Is(last, errRace) {
			return nil
		}
		attempt++
		e.opts.Logger.Warn("projections: apply failed, retrying", "projection", p.Name(),
			"from", events[0].Position, "to", events[len(events)-1].Position, "attempt", attempt, "error", last)
	}
	return last
}

// How often a projection tries again while the disk is full: first after
// storageFullFirstRetry, then twice as long each time, up to
// storageFullRetry.
const (
	storageFullFirstRetry = 50 * time.Millisecond
	storageFullRetry      = 2 * time.Second
)

// errRace: another runner applied these events first; nothing to do.
var errRace = errors.New("checkpoint moved")

func (e *Engine) applyOnce(ctx context.Context, p Projection, events []domain.Recorded) error {
	turn := e.turn(p.Name())
	turn.Lock()
	defer turn.Unlock()
	tx, err := e.begin(ctx, p)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cp, err := e.lockCheckpoint(ctx, tx, p.Name())
	if err != nil {
		return err
	}
	if cp != events[0].Position-1 {
		// Another process (or a rebuild) moved the checkpoint: resync.
		e.mark(p.Name(), cp)
		return errRace
	}
	if err := p.Apply(ctx, tx, e.dialect, events); err != nil {
		return fmt.Errorf("apply events %d to %d: %w", events[0].Position, events[len(events)-1].Position, err)
	}
	last := events[len(events)-1].Position
	if err := advanceCheckpoint(ctx, tx, p.Name(), cp, last); err != nil {
		if errors.Is(err, errRace) {
			// Another process (a rebuild's swap) moved it meanwhile.
			tx.Rollback()
			if now, err := checkpoint(ctx, e.db, p.Name()); err == nil {
				e.mark(p.Name(), now)
			}
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	e.mark(p.Name(), last)
	return nil
}

// turn is the lock a projection's transactions take in this process.
func (e *Engine) turn(name string) *sync.Mutex {
	m, _ := e.turns.LoadOrStore(name, &sync.Mutex{})
	return m.(*sync.Mutex)
}

// Tick brings the projections whose rows change with the time (Clocked)
// up to now, each in as many transactions as it asks for (Clocked.Tick's
// more), each under the same lock as its Apply, so that each stays the
// only writer of its tables and new events are applied between them.
// serve runs it once the projections follow the log (Started), then
// every minute.
func (e *Engine) Tick(ctx context.Context, now time.Time) error {
	for _, p := range e.projections {
		c, ok := p.(Clocked)
		if !ok {
			continue
		}
		if err := e.tick(ctx, p, c, now); err != nil {
			return fmt.Errorf("projection %s: tick: %w", p.Name(), err)
		}
	}
	return nil
}

func (e *Engine) tick(ctx context.Context, p Projection, c Clocked, now time.Time) error {
	for {
		more, err := e.tickOnce(ctx, p, c, now)
		if err != nil || !more {
			return err
		}
	}
}

// tickOnce runs one transaction of a projection's Tick, with its turn.
func (e *Engine) tickOnce(ctx context.Context, p Projection, c Clocked, now time.Time) (bool, error) {
	name := p.Name()
	turn := e.turn(name)
	turn.Lock()
	defer turn.Unlock()
	tx, err := e.begin(ctx, p)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if _, err := e.lockCheckpoint(ctx, tx, name); err != nil {
		return false, err
	}
	more, err := c.Tick(ctx, tx, e.dialect, now)
	if err != nil {
		return false, err
	}
	return more, tx.Commit()
}

// lockCheckpoint reads a projection's checkpoint inside tx and, on
// PostgreSQL, locks its row until tx ends, so that a projection's
// transactions — Apply and Tick, in this process or in another worker —
// take turns (SQLite's writers take turns anyway).
func (e *Engine) lockCheckpoint(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	if e.dialect != readdb.Postgres {
		return checkpoint(ctx, tx, name)
	}
	var pos int64
	err := tx.QueryRowContext(ctx, `SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE`, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lock checkpoint of %s: %w", name, err)
	}
	return pos, nil
}
