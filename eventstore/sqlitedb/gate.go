package sqlitedb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// A SQLite file has one writer at a time. Its writers in other processes
// wait for the lock in SQLite's busy handler, which sleeps and tries again
// (1, 2, 5, 10 … 100 ms); in one process careledger has a dozen writers on
// the one file (the log's writer, each projection, the access log, the
// keys), and the sleeps, not the work, made its lag and latency: a writer
// could sleep 100 ms while the lock had long been free. So the writers of
// one process take turns here first, in the order they came (a Go channel
// queues its waiters first in, first out), and reach SQLite's lock only
// when no other writer of this process holds it.
//
// Every transaction begun on a connection whose DSN sets
// _txlock=immediate (a writer's) takes its file's Gate until it commits or
// rolls back; code that runs BEGIN IMMEDIATE itself (the log's writer)
// takes it with Lock.

// Gate is the turn of one SQLite file's writers in this process.
type Gate struct{ turn chan struct{} }

// GateWait bounds how long a writer waits for its turn, as busy_timeout
// bounds the wait for another process's lock.
const GateWait = 30 * time.Second

var gates sync.Map // cleaned absolute path → *Gate

// GateOf is the Gate of the SQLite file at path, the same for every caller
// in this process.
func GateOf(path string) *Gate {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	g, _ := gates.LoadOrStore(filepath.Clean(path), &Gate{turn: make(chan struct{}, 1)})
	return g.(*Gate)
}

// Lock waits for the turn, until ctx ends or GateWait has passed.
func (g *Gate) Lock(ctx context.Context) error {
	select {
	case g.turn <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(GateWait)
	defer t.Stop()
	select {
	case g.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("sqlitedb: another write transaction of this process held the database for %s", GateWait)
	}
}

// Unlock gives the turn to the next writer.
func (g *Gate) Unlock() { <-g.turn }

// writerGate is the Gate a connection's transactions take: the file's, if
// the DSN makes its transactions writers (_txlock=immediate); nil
// otherwise (and for an in-memory database).
func writerGate(dsn string) *Gate {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	q, err := url.ParseQuery(query)
	if err != nil || q.Get("_txlock") != "immediate" || path == "" || path == ":memory:" || q.Get("mode") == "memory" {
		return nil
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	return GateOf(path)
}

// gatedTx is a transaction holding its file's Gate until it ends.
type gatedTx struct {
	inner driver.Tx
	gate  *Gate
	once  sync.Once
}

func (t *gatedTx) Commit() error {
	defer t.release()
	return t.inner.Commit()
}

func (t *gatedTx) Rollback() error {
	defer t.release()
	return t.inner.Rollback()
}

func (t *gatedTx) release() { t.once.Do(t.gate.Unlock) }
