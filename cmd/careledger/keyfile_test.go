package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyMadeAtOnceIsReadWhole: processes (here goroutines) that find no
// key file at once each get the one key that was stored, never a partial
// file; one of them made it, with mode 0600, and no temporary file stays.
func TestKeyMadeAtOnceIsReadWhole(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				keys[i], errs[i] = secretKey(dir, "master.key", "CARELEDGER_TEST_NO_SUCH_KEY", 32)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i], "round %d, caller %d", round, i)
			assert.Equal(t, keys[0], keys[i], "round %d: every caller has the stored key", round)
		}
		info, err := os.Stat(filepath.Join(dir, "master.key"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		left, err := filepath.Glob(filepath.Join(dir, ".master.key.new-*"))
		require.NoError(t, err)
		assert.Empty(t, left, "no temporary file stays")
	}
}
