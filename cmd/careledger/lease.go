package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careledger/careledger/projections/engine"
)

// Several servers on one PostgreSQL each have the projections in process,
// but one at a time applies them: the one that holds the projections'
// lease, a session advisory lock on a connection of its own. The others
// stand by: they mirror the checkpoints the owner records (so that
// min_position, /readyz and /metrics answer as on the owner) and try for
// the lease every leaseRetry. PostgreSQL releases the lock when the
// owner's connection ends — its process killed, its machine gone — and a
// standby takes over within leaseRetry (plus the time the server notices
// the dead connection; a killed process's socket closes at once).
//
// The lease saves work, it does not make the read models right: each
// projection's transaction still locks and moves its checkpoint (an owner
// that lost its lease unawares cannot apply a page twice).

// projectionLease is the advisory lock key of the lease.
const projectionLease int64 = 0x636c_7072_6f6a // "clproj"

// leaseRetry is how often a standby tries for the lease, and how often an
// owner checks that the connection holding it is alive.
const leaseRetry = time.Second

// projectionRole says what this server does with the projections: applies
// them ("owner"), stands by for the lease ("standby"), announces events to
// workers in other processes ("external"), or reads a standby's
// ("replica").
type projectionRole struct {
	owner atomic.Bool
	// ticked: the owner has brought the read models that change with the
	// time up to it (keepTicking) since it began applying them; /readyz
	// waits for it.
	ticked   atomic.Bool
	external bool
	replica  bool // reads a standby's read models (replica.go)
}

func (r *projectionRole) String() string {
	switch {
	case r.replica:
		return "replica"
	case r.external:
		return "external"
	case r.owner.Load():
		return "owner"
	}
	return "standby"
}

// runUnderLease stands by until this server holds the lease, then runs the
// engine (and its clock) until ctx ends or the lease's connection is lost;
// then it stands by again, mirroring, until ctx ends (an engine runs once).
func runUnderLease(ctx context.Context, pool *pgxpool.Pool, e *engine.Engine, role *projectionRole, log *slog.Logger) error {
	standby, stop := context.WithCancel(ctx)
	mirrored := make(chan struct{})
	go func() { defer close(mirrored); e.Mirror(standby) }()
	log.Info("projections: standing by for the lease")
	conn, err := acquireLease(ctx, pool)
	stop()
	<-mirrored
	if err != nil {
		return nil // ctx ended
	}
	role.owner.Store(true)
	log.Info("projections: this server holds the lease and applies the projections")
	leased, lost := context.WithCancel(ctx)
	defer lost()
	go func() {
		defer lost()
		ticker := time.NewTicker(leaseRetry)
		defer ticker.Stop()
		for {
			select {
			case <-leased.Done():
				return
			case <-ticker.C:
			}
			if err := conn.Ping(leased); err != nil {
				if leased.Err() == nil {
					log.Error("projections: the lease's connection is lost; standing by", "error", err)
				}
				return
			}
		}
	}()
	role.ticked.Store(false)
	go keepTicking(leased, e, &role.ticked, log)
	err = e.Run(leased)
	role.owner.Store(false)
	if ctx.Err() == nil {
		// Lost: the lease may be another's now.
		e.Mirror(ctx)
	}
	conn.Release()
	return err
}

// acquireLease waits until this server holds the lease, on a connection it
// keeps; it fails only when ctx ends.
func acquireLease(ctx context.Context, pool *pgxpool.Pool) (*pgxpool.Conn, error) {
	for {
		conn, err := pool.Acquire(ctx)
		if err == nil {
			var got bool
			if err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, projectionLease).Scan(&got); err == nil && got {
				return conn, nil
			}
			conn.Release()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(leaseRetry):
		}
	}
}
