package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/sqlite"
)

// TestCloseReleasesTheFile: once closed, the store holds none of its
// files open (the writer's prepared statements used to keep its connection,
// and so the database, its WAL and shared memory, open for good).
func TestCloseReleasesTheFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the open files from /proc")
	}
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "careledger.db"), eventstore.Options{})
	require.NoError(t, err)
	_, err = s.Append(context.Background(), eventstore.StreamRef{ID: "case-1", Type: "case"}, eventstore.NoStream,
		eventstore.NewEvent{Type: "case.opened", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: time.Now()})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	for _, fd := range fds {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		assert.False(t, strings.HasPrefix(target, dir), "still open after Close: %s", target)
	}
}
