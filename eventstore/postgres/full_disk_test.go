package postgres_test

import (
	"testing"

	"github.com/careledger/careledger/eventstore/dberr/fulldisktest"
	"github.com/careledger/careledger/eventstore/storetest"
)

// TestFullDisk runs the full-disk contract with the store's tables in a
// tablespace on a 4 MiB tmpfs: 53100 disk_full is refused as
// ErrStorageFull, and the store appends again once space is freed.
func TestFullDisk(t *testing.T) {
	t.Parallel()
	url, fs := fulldisktest.PostgresDatabase(t, 4<<20)
	storetest.FullDisk(t, &database{url: url}, fs)
}
