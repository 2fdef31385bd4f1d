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
// CPU (the runtime's limiter). SQLite's page caches are not Go's heap and
// not under it.
const defaultMemoryLimit = 256 << 20

// softMemoryLimit sets defaultMemoryLimit unless the environment's
// GOMEMLIMIT (which the runtime has read already) chose one; it reports the
// limit in force.
func softMemoryLimit(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	return defaultMemoryLimit
}
