package privacy

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

func TestMakeRoomKeepsUnderTheLimit(t *testing.T) {
	m := map[string]int{}
	for i := range 100 {
		makeRoom(m, 10, nil)
		m[fmt.Sprint(i)] = i
		assert.LessOrEqual(t, len(m), 10)
	}
	assert.Contains(t, m, "99", "the entry just made is there")
}

func TestMakeRoomSparesWhatItMustKeep(t *testing.T) {
	m := map[string]int{"kept1": -1, "kept2": -1}
	for i := range 50 {
		makeRoom(m, 5, func(v int) bool { return v < 0 })
		m[fmt.Sprint(i)] = i
	}
	assert.Len(t, m, 5)
	assert.Contains(t, m, "kept1")
	assert.Contains(t, m, "kept2")
}

// TestKeyCacheIsBounded: a process that has read more children's keys
// than its cache holds keeps at most cachedKeys live keys, reads the
// others again (the same key), and never forgets a destruction.
func TestKeyCacheIsBounded(t *testing.T) {
	old := cachedKeys
	cachedKeys = 8
	t.Cleanup(func() { cachedKeys = old })
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "keys.db")+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	k, err := OpenKeys(ctx, db, true, []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)

	first := map[string][]byte{}
	for i := range 40 {
		subject := fmt.Sprintf("child-%d", i)
		key, ok, err := k.DataKey(ctx, subject, true)
		require.NoError(t, err)
		require.True(t, ok)
		first[subject] = key
	}
	require.NoError(t, k.Destroy(ctx, "child-3"))
	for round := range 3 {
		for subject, want := range first {
			key, ok, err := k.DataKey(ctx, subject, false)
			require.NoError(t, err)
			if subject == "child-3" {
				assert.False(t, ok, "round %d: a destroyed key stays destroyed", round)
				continue
			}
			require.True(t, ok, subject)
			assert.Equal(t, want, key, subject)
		}
		k.mu.Lock()
		live := 0
		for _, key := range k.cache {
			if key != nil {
				live++
			}
		}
		_, tomb := k.cache["child-3"]
		k.mu.Unlock()
		assert.LessOrEqual(t, live, 8)
		assert.True(t, tomb, "the tombstone is kept in the cache")
	}
}
