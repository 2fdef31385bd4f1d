package engine

import (
	"context"
	"database/sql"
	"fmt"
)

// pageConn is the one connection the projections following together write
// their pages through (group.go), held by the follower's goroutine alone.
//
// SQLite empties a connection's page cache whenever another connection has
// written to the file since it last read. Taken from the pool for each
// page, a page's transaction got whichever connection a query had just
// given back: its cache held that query's pages, or nothing once the last
// page committed on another connection, and the page read the indexes it
// writes again. On a connection of their own, the cache keeps what the
// projections write, emptied only when Tick (on another connection)
// writes. Measured with bench (8 writers and 8 readers, 997,103 events,
// SQLite, alternated, 2026-12-07): in one hour, server CPU a request 0.92 →
// 0.67 ms, commands 436, 408 → 472, 503/s, queries in 30 s 38,981, 35,908 →
// 46,832, 50,148; an hour later, with the machine faster, the same within
// the runs' spread (four pairs: commands 599, 577, 592, 538 → 625, 541,
// 591, 555/s; query p99 33.4, 36.2, 32.9, 36.0 → 29.6, 36.0, 32.3, 32.3
// ms), and 15 MB more held after the load (the connection's cache).
type pageConn struct {
	db   *sql.DB
	conn *sql.Conn // nil until the first page, and after one broke
}

// begin begins a page's transaction for ps on the connection, taking one
// from the pool first if there is none; a connection that fails to begin
// goes back to the pool, and the next page takes another.
func (c *pageConn) begin(ctx context.Context, e *Engine, ps []Projection) (*sql.Tx, error) {
	if c.conn == nil {
		conn, err := c.db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("begin: %w", err)
		}
		c.conn = conn
	}
	tx, err := e.beginOn(ctx, c.conn, ps...)
	if err != nil {
		c.close()
	}
	return tx, err
}

// close gives the connection back to the pool.
func (c *pageConn) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}
