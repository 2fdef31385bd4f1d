package main

import (
	"runtime/debug"
)

// defaultMemoryLimit is the soft limit of the Go heap a server keeps when
// GOMEMLIMIT does not set one: the collector then runs sooner as the heap
// nears it, rather than letting it grow to twice what is live (GOGC=100).
// A server starting on the demo county of 64,000 children (997,103 events,
// read models empty) peaked at 300–322 MB on PostgreSQL during the rebuild
// at start, and at 278 MB with this limit, in the same time and CPU
// (2026-12-06: ready 58–60 s against 60–70 s, 47 s of CPU against
// 47–59 s); 160 MiB was too tight (76 s of CPU). It is soft: a heap that
// needs more gets more, the collector then taking at most about half the
// CPU (the runtime's limiter).
const defaultMemoryLimit = 256 << 20

// sqliteMemoryLimit is defaultMemoryLimit for a server whose read models
// are in SQLite (the embedded store, and KurrentDB's): SQLite's page caches
// are not Go's heap and not under its limit, and they and the rest outside
// Go's heap took about 80 MB at that start. With 256 MiB the peak was
// 295–310 MB (five starts and four loaded runs, 2026-12-07); with 180 MiB,
// 280–281 MB, the start as fast (50.5–51.5 s and 58.0–58.6 s of CPU,
// against 50.5–52.5 s and 58.2–60.8 s) and the load after it alike (8 + 8
// at 997,103 events, alternated twice: server CPU a request 0.68 and 0.72
// ms against 0.70 and 0.79). A server on PostgreSQL keeps the larger limit:
// its peak is under 300 MB with it (261 and 268 MB; 203 and 210 with 180
// MiB, ready in 39.5 and 37.2 s against 35.2 and 38.5 s), and 160 MiB was
// the cliff above.
const sqliteMemoryLimit = 180 << 20

// softMemoryLimit sets the server's default limit (sqliteMemoryLimit when
// its read models are in SQLite, else defaultMemoryLimit) unless the
// environment's GOMEMLIMIT (which the runtime has read already) chose one;
// it reports the limit in force.
func softMemoryLimit(getenv func(string) string, sqliteReadModels bool) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	limit := int64(defaultMemoryLimit)
	if sqliteReadModels {
		limit = sqliteMemoryLimit
	}
	debug.SetMemoryLimit(limit)
	return limit
}
