package privacy

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// TestKeyBatchErrorReachesEveryCaller: when the transaction that creates
// a batch of keys fails, every caller whose key was in it gets the error
// and none is cached; no caller waits for ever.
func TestKeyBatchErrorReachesEveryCaller(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "keys.db")+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	k, err := OpenKeys(ctx, db, true, []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `DROP TABLE careledger_data_keys`)
	require.NoError(t, err)

	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key, err := k.create(ctx, fmt.Sprintf("c%d", i))
			assert.Nil(t, key)
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		assert.ErrorContains(t, err, "careledger_data_keys", "caller %d", i)
	}
	assert.Empty(t, k.cache)
}
