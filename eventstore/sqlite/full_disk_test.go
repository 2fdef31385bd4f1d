package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/careledger/careledger/eventstore/dberr/fulldisktest"
	"github.com/careledger/careledger/eventstore/storetest"
)

// TestFullDisk runs the full-disk contract with the SQLite file (and its
// WAL) on a 4 MiB tmpfs: SQLITE_FULL is refused as ErrStorageFull, and the
// store appends again once space is freed.
func TestFullDisk(t *testing.T) {
	t.Parallel()
	fs := fulldisktest.Mount(t, 4<<20, nil)
	storetest.FullDisk(t, &database{path: filepath.Join(fs.Dir, "careledger.db")}, fs)
}
