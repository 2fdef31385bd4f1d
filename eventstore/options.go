package eventstore

import (
	"context"
	"time"
)

// Options tune a backend's writer. The zero value is ready to use.
type Options struct {
	// SealKey signs the head seal (HMAC-SHA256). Keep it outside the database
	// (the server keeps it in its data directory). Without a key the seal is
	// unsigned: it still shows a truncated log to anyone who did not also
	// rewrite the seal.
	SealKey []byte
	// MaxBatch bounds how many appends one group commit takes (default 256).
	MaxBatch int
	// BeforeCommit, when set, runs inside every write transaction that
	// inserts events, after the inserts and before the commit. It exists for
	// tests and fault injection: a hook that blocks holds the transaction open.
	BeforeCommit func(ctx context.Context)
	// Now is the clock for recorded_at (default time.Now).
	Now func() time.Time
}

// Stats counts what a store's writer has done since it opened.
type Stats struct {
	Appends int64 // Append calls answered (including failures)
	Events  int64 // events written
	Batches int64 // write transactions committed
	Queued  int   // appends waiting for the next group commit
}
