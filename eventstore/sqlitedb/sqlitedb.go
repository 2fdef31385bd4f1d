// Package sqlitedb opens careledger's SQLite databases (the event store's
// and the read models') through the modernc driver with a statement cache
// on every connection.
//
// Why: database/sql hands a query with arguments straight to the driver's
// connection, which compiles the SQL anew on every call. Under load that
// compilation was the largest single cost of the server on SQLite (about a
// fifth of its CPU, in SQLite's parser), although careledger runs the same
// few hundred statements again and again. Each connection here keeps the
// statements it compiled, up to a bound, and runs a query it has seen
// through the compiled statement. Nothing else changes: the same driver,
// the same pragmas, the same errors (a *sqlite.Error passes through).
//
// A text with more than one statement (a migration) is never cached: the
// driver runs it as before. A cached statement still being read (its rows
// not closed) is not reused; the query then runs uncached. SQLite itself
// recompiles a cached statement whose tables changed (sqlite3_prepare_v2).
package sqlitedb

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// CacheSize is how many compiled statements each connection keeps; the
// least recently used goes first.
const CacheSize = 256

// Open opens a database with the modernc driver's DSN (file:…?_pragma=…).
// Like sql.Open it connects lazily.
func Open(dsn string) *sql.DB {
	return sql.OpenDB(connector{dsn: dsn, driver: sqliteDriver, gate: writerGate(dsn)})
}

// sqliteDriver is the modernc driver as it registers itself.
var sqliteDriver = func() driver.Driver {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic("sqlitedb: the sqlite driver is not registered: " + err.Error())
	}
	defer db.Close()
	return db.Driver()
}()

type connector struct {
	dsn    string
	driver driver.Driver
	gate   *Gate // the file's writers' turn (gate.go); nil for readers
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	inner, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return newConn(inner, c.gate)
}

func (c connector) Driver() driver.Driver { return c.driver }

// conn is a driver connection with its statement cache. database/sql uses
// a connection from one goroutine at a time, so the cache needs no lock.
type conn struct {
	inner interface {
		driver.Conn
		driver.ConnBeginTx
		driver.ConnPrepareContext
		driver.ExecerContext
		driver.QueryerContext
	}
	cache map[string]*list.Element // of *entry
	order *list.List               // most recently used first
	gate  *Gate                    // taken by every transaction; nil: none
}

// entry is a compiled statement of the cache.
type entry struct {
	query string
	stmt  interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	reading bool // rows from it are open
	evicted bool // out of the cache: close once its rows are closed
}

var errUnexpectedDriver = errors.New("sqlitedb: the sqlite driver's connection lacks a context method")

func newConn(inner driver.Conn, gate *Gate) (driver.Conn, error) {
	c := &conn{cache: map[string]*list.Element{}, order: list.New(), gate: gate}
	var ok bool
	if c.inner, ok = inner.(interface {
		driver.Conn
		driver.ConnBeginTx
		driver.ConnPrepareContext
		driver.ExecerContext
		driver.QueryerContext
	}); !ok {
		inner.Close()
		return nil, errUnexpectedDriver
	}
	return c, nil
}

// cacheable reports whether a query is one statement: no ';' but a
// trailing one. (A ';' inside a literal makes a query uncached, which is
// only slower.)
func cacheable(query string) bool {
	q := strings.TrimRight(query, " \t\r\n;")
	return q != "" && !strings.Contains(q, ";")
}

// statement is the cached statement for query, compiling it on first use;
// nil when the query is not cached or its statement is being read.
func (c *conn) statement(ctx context.Context, query string) (*entry, error) {
	if el, ok := c.cache[query]; ok {
		e := el.Value.(*entry)
		if e.reading {
			return nil, nil
		}
		c.order.MoveToFront(el)
		return e, nil
	}
	if !cacheable(query) {
		return nil, nil
	}
	st, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s, ok := st.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		st.Close()
		return nil, nil
	}
	e := &entry{query: query, stmt: s}
	c.cache[query] = c.order.PushFront(e)
	for c.order.Len() > CacheSize {
		c.evict(c.order.Back())
	}
	return e, nil
}

func (c *conn) evict(el *list.Element) {
	e := el.Value.(*entry)
	c.order.Remove(el)
	delete(c.cache, e.query)
	e.evicted = true
	if !e.reading {
		e.stmt.Close()
	}
}

// ExecContext implements driver.ExecerContext.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.inner.ExecContext(ctx, query, args)
	}
	return e.stmt.ExecContext(ctx, args)
}

// QueryContext implements driver.QueryerContext.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.inner.QueryContext(ctx, query, args)
	}
	rows, err := e.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	e.reading = true
	return &cachedRows{Rows: rows, entry: e}, nil
}

// cachedRows frees its statement for reuse when closed.
type cachedRows struct {
	driver.Rows
	entry *entry
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.entry != nil {
		r.entry.reading = false
		if r.entry.evicted {
			err = errors.Join(err, r.entry.stmt.Close())
		}
		r.entry = nil
	}
	return err
}

func (c *conn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx begins a transaction; a writer's first takes its turn (gate.go).
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.gate == nil || opts.ReadOnly {
		return c.inner.BeginTx(ctx, opts)
	}
	if err := c.gate.Lock(ctx); err != nil {
		return nil, err
	}
	tx, err := c.inner.BeginTx(ctx, opts)
	if err != nil {
		c.gate.Unlock()
		return nil, err
	}
	return &gatedTx{inner: tx, gate: c.gate}, nil
}

// Close closes every cached statement, then the connection.
func (c *conn) Close() error {
	var errs []error
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry)
		if !e.reading {
			errs = append(errs, e.stmt.Close())
		}
	}
	c.cache, c.order = nil, list.New()
	return errors.Join(append(errs, c.inner.Close())...)
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
