package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
)

// A server started with --postgres-read URL serves its queries (GET
// requests) from the read models on a PostgreSQL hot standby of the
// primary --postgres names; commands, the access log, revocations, keys
// and webhooks stay on the primary. It never applies the projections
// (there is nothing it could write on a standby): its engine mirrors the
// checkpoints the standby has replayed, so that a query's min_position
// waits until the standby holds the write — the read models and their
// checkpoints change in one transaction, and replay keeps it whole.

// errReadNeedsPrimary: --postgres-read without --postgres.
var errReadNeedsPrimary = errors.New("--postgres-read needs --postgres (the primary)")

// replicaReads opens the standby's read models and the engine that mirrors
// its checkpoints; closeReplica releases its pool.
func replicaReads(ctx context.Context, url string, store eventstore.Store, primary readdb.DB, role *projectionRole, log *slog.Logger) (
	replica readdb.DB, e *engine.Engine, run func(context.Context) error, closeReplica func(), err error) {
	if _, ok := pool(store); !ok {
		return readdb.DB{}, nil, nil, nil, errReadNeedsPrimary
	}
	p, err := pgxpool.New(ctx, withPoolSize(url))
	if err != nil {
		return readdb.DB{}, nil, nil, nil, fmt.Errorf("--postgres-read: %w", err)
	}
	if err := p.Ping(ctx); err != nil {
		p.Close()
		return readdb.DB{}, nil, nil, nil, fmt.Errorf("--postgres-read: %w", err)
	}
	replica = readdb.DB{SQL: readdb.OpenPostgres(p), Dialect: readdb.Postgres, Clock: primary.Clock}
	role.replica = true
	e = engine.New(store, replica, engine.Options{Logger: log}, projections.All()...)
	run = func(ctx context.Context) error {
		log.Info("projections: this server reads the standby's read models and applies none")
		e.Mirror(ctx)
		return nil
	}
	return replica, e, run, func() { replica.SQL.Close(); p.Close() }, nil
}
