package privacy_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/privacy"
)

// TestKeysWantedAtOnceShareATransaction: many children's keys wanted at
// once are created in fewer transactions than keys, and every caller gets
// the key that is stored — the one a fresh process reads — also when
// several callers want one child's key, when another process stored a
// child's key first, and when a child's key was destroyed (a tombstone
// stays one).
func TestKeysWantedAtOnceShareATransaction(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		here := mustKeys(t, b, masterKey(0))
		there := mustKeys(t, b, masterKey(0))
		earlier, ok, err := there.DataKey(ctx, "first", true)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, there.Destroy(ctx, "erased"))

		const n = 64
		subjects := make([]string, n)
		for i := range subjects {
			subjects[i] = fmt.Sprintf("c%d", i%(n-8)) // the last 8 want a key another caller wants too
		}
		subjects[0], subjects[1] = "first", "erased"
		type answer struct {
			key []byte
			ok  bool
			err error
		}
		answers := make([]answer, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, s := range subjects {
			wg.Go(func() {
				<-start
				key, ok, err := here.DataKey(ctx, s, true)
				answers[i] = answer{key, ok, err}
			})
		}
		close(start)
		wg.Wait()

		t.Logf("batches %d", here.KeyBatches())
		assert.Less(t, here.KeyBatches(), int64(n-2), "keys wanted at once share transactions")
		assert.Positive(t, here.KeyBatches())
		fresh := mustKeys(t, b, masterKey(0))
		for i, s := range subjects {
			a := answers[i]
			require.NoError(t, a.err, s)
			stored, ok, err := fresh.DataKey(ctx, s, false)
			require.NoError(t, err, s)
			if s == "erased" {
				assert.False(t, a.ok, "a destroyed key is not made again")
				assert.False(t, ok)
				continue
			}
			require.True(t, ok, "%s: the key is stored", s)
			assert.True(t, a.ok, s)
			assert.Equal(t, stored, a.key, "%s: the caller has the key that is stored", s)
		}
		assert.Equal(t, earlier, answers[0].key, "the key another process stored first")
	})
}

// TestErasuresCount: a process counts its own destruction of a key at
// once and another process's within the 2 s it trusts its cached keys; a
// key made is no erasure.
func TestErasuresCount(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		here, there := mustKeys(t, b, masterKey(0)), mustKeys(t, b, masterKey(0))
		count := func(k *privacy.Keys) int64 {
			n, err := k.Erasures(ctx)
			require.NoError(t, err)
			return n
		}
		_, _, err := here.DataKey(ctx, "c1", true)
		require.NoError(t, err)
		start, elsewhere := count(here), count(there)
		require.NoError(t, here.Destroy(ctx, "c1"))
		assert.Greater(t, count(here), start, "its own erasure at once")
		require.Eventually(t, func() bool { return count(there) > elsewhere }, 5*time.Second, 50*time.Millisecond,
			"another process's erasure within the time it trusts its keys")
		settled := count(there)
		_, _, err = here.DataKey(ctx, "c2", true)
		require.NoError(t, err)
		time.Sleep(2100 * time.Millisecond)
		assert.Equal(t, settled, count(there), "a key made is no erasure")
	})
}

// TestKeysPrefetchedTogether: Prefetch reads the keys of many subjects (in
// more than one query) and keeps them, a destroyed key as destroyed and a
// subject without a key as without: spoilt in the database afterwards, the
// keys still open what they sealed.
func TestKeysPrefetchedTogether(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		there := mustKeys(t, b, masterKey(0))
		const n = 1200 // more than one query's worth
		want := map[string][]byte{}
		var subjects []string
		for i := range n {
			s := fmt.Sprintf("p%d", i)
			key, ok, err := there.DataKey(ctx, s, true)
			require.NoError(t, err)
			require.True(t, ok)
			want[s] = key
			subjects = append(subjects, s)
		}
		require.NoError(t, there.Destroy(ctx, "p7"))
		subjects = append(subjects, "p1", "never", "p7")

		here := mustKeys(t, b, masterKey(0))
		require.NoError(t, here.Prefetch(ctx, subjects))
		_, err := b.db.ExecContext(ctx, `UPDATE careledger_data_keys SET wrapped = 'spoilt' WHERE wrapped IS NOT NULL`)
		require.NoError(t, err)
		for s, stored := range want {
			key, ok, err := here.DataKey(ctx, s, false)
			require.NoError(t, err, s)
			if s == "p7" {
				assert.False(t, ok, "a destroyed key stays destroyed")
				continue
			}
			require.True(t, ok, s)
			assert.Equal(t, stored, key, s)
		}
		_, ok, err := here.DataKey(ctx, "never", false)
		require.NoError(t, err)
		assert.False(t, ok, "a subject without a key has none")
		_, _, err = mustKeys(t, b, masterKey(0)).DataKey(ctx, "p1", false)
		assert.Error(t, err, "read again, a spoilt key does not open")
	})
}
