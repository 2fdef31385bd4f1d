package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSoftMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	debug.SetMemoryLimit(1 << 40)
	for _, sqlite := range []bool{false, true} {
		debug.SetMemoryLimit(1 << 40)
		assert.Equal(t, int64(1<<40), softMemoryLimit(func(k string) string {
			if k == "GOMEMLIMIT" {
				return "1TiB"
			}
			return ""
		}, sqlite), "GOMEMLIMIT set: the runtime's limit stands")
		assert.Equal(t, int64(1<<40), debug.SetMemoryLimit(-1))
	}

	assert.Equal(t, int64(defaultMemoryLimit), softMemoryLimit(func(string) string { return "" }, false))
	assert.Equal(t, int64(defaultMemoryLimit), debug.SetMemoryLimit(-1), "no GOMEMLIMIT, read models on PostgreSQL")
	assert.Equal(t, int64(sqliteMemoryLimit), softMemoryLimit(func(string) string { return "" }, true))
	assert.Equal(t, int64(sqliteMemoryLimit), debug.SetMemoryLimit(-1), "no GOMEMLIMIT, read models in SQLite")
}
