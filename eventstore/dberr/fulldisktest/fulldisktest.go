// Package fulldisktest gives a test a small file system of its own to fill,
// to see what careledger does when its database runs out of space: a
// size-limited tmpfs the test mounts (which takes root; CI runs as root and
// sets RequireVar, so that the tests fail there instead of skipping), a
// ballast file that fills it and, removed, frees it; and a PostgreSQL
// database whose tables live in a tablespace on one. PostgreSQL's own disk
// cannot be filled safely; in a tablespace only the tables run out of
// space (the WAL stays on the big disk), and extending one fails with
// 53100 disk_full, as on a full disk.
package fulldisktest

import (
	"os"
	"testing"
)

// RequireVar, when set, turns a file system that cannot be mounted (or a
// PostgreSQL server that cannot make a tablespace on it) into a failure
// instead of a skip.
const RequireVar = "CARELEDGER_REQUIRE_FULL_DISK"

// FS is a mounted file system the test fills.
type FS struct {
	// Dir is where it is mounted.
	Dir     string
	ballast string
}

// skip skips the test, or fails it when RequireVar is set.
func skip(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(RequireVar) != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format+" (set "+RequireVar+"=1 to fail instead)", args...)
}
