package privacy_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
)

// keysInLog is the store beneath wrapped with its data keys in its own
// database (privacy.KeysInLog), and the keys.
func keysInLog(t *testing.T, b backend, inner eventstore.Store) (*privacy.Store, *privacy.Keys) {
	keys, err := privacy.OpenKeys(context.Background(), b.db, b.sqlite, masterKey(0))
	require.NoError(t, err)
	return privacy.Wrap(inner, keys, privacy.TestCatalog{}, privacy.KeysInLog), keys
}

// keyRows counts the rows of a subject's data key (a tombstone included).
func keyRows(t *testing.T, b backend, subject string) int {
	var n int
	require.NoError(t, b.db.QueryRow(`SELECT count(*) FROM careledger_data_keys WHERE subject = $1`, subject).Scan(&n))
	return n
}

// registered is the registration of a child with id id (child's data).
func registered(t *testing.T, id string) eventstore.NewEvent {
	c := map[string]any{}
	for k, v := range child {
		c[k] = v
	}
	c["child_id"] = id
	return event(t, "child.registered", c)
}

// TestNewKeyGoesInWithItsFirstEvent: with the keys in the log's database,
// a child's data key is stored by the append that first seals with it,
// with no transaction of its own; an append refused stores no key.
func TestNewKeyGoesInWithItsFirstEvent(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, keys := keysInLog(t, b, b.inner)
		_, err := s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, registered(t, "c1"))
		require.NoError(t, err)
		assert.Zero(t, keys.KeyBatches(), "no transaction of its own")
		assert.Equal(t, 1, keyRows(t, b, "c1"))

		_, err = s.Append(ctx, eventstore.StreamRef{ID: "child-c2", Type: "child"}, eventstore.Exactly(3), registered(t, "c2"))
		require.ErrorIs(t, err, eventstore.ErrVersionConflict)
		assert.Zero(t, keyRows(t, b, "c2"), "the refused append's key went with it")

		// Another handle (a restart) opens the child's data with the key stored.
		other, _ := keysInLog(t, b, b.inner)
		got, err := other.ReadStream(ctx, "child-c1", 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "王小明", data(t, got[0])["name"])
	})
}

// racing is the store beneath, which runs meanwhile before each append
// with companion rows: another process acting between the key's lookup
// and the append.
type racing struct {
	eventstore.CompanionStore
	meanwhile func()
}

func (r racing) AppendWith(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, companions []eventstore.Companion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	if r.meanwhile != nil {
		r.meanwhile()
	}
	return r.CompanionStore.AppendWith(ctx, stream, expected, companions, events...)
}

// TestKeyStoredMeanwhileSealsTheAppend: when another process stores the
// child's key between the lookup and the append, the append fails whole
// and is sealed again with the key stored; both processes open the data.
func TestKeyStoredMeanwhileSealsTheAppend(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		other, otherKeys := keysInLog(t, b, b.inner)
		s, _ := keysInLog(t, b, racing{CompanionStore: b.inner.(eventstore.CompanionStore), meanwhile: func() {
			_, ok, err := otherKeys.DataKey(ctx, "c1", true)
			assert.True(t, ok)
			assert.NoError(t, err)
		}})
		_, err := s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, registered(t, "c1"))
		require.NoError(t, err)
		assert.Equal(t, 1, keyRows(t, b, "c1"))
		for _, handle := range []*privacy.Store{s, other} {
			got, err := handle.ReadStream(ctx, "child-c1", 0, 0)
			require.NoError(t, err)
			require.Len(t, got, 1, "stored once")
			assert.Equal(t, "王小明", data(t, got[0])["name"])
		}
	})
}

// TestKeyDestroyedMeanwhileErasesTheAppend: a child erased by another
// process between the lookup and the append is not given a new key: the
// append is sealed as erased.
func TestKeyDestroyedMeanwhileErasesTheAppend(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		_, otherKeys := keysInLog(t, b, b.inner)
		s, _ := keysInLog(t, b, racing{CompanionStore: b.inner.(eventstore.CompanionStore), meanwhile: func() {
			assert.NoError(t, otherKeys.Destroy(ctx, "c1"))
		}})
		_, err := s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, registered(t, "c1"))
		require.NoError(t, err)
		got, err := s.ReadStream(ctx, "child-c1", 0, 0)
		require.NoError(t, err)
		assert.Nil(t, data(t, got[0])["name"])
		assert.Equal(t, 1, keyRows(t, b, "c1"), "the tombstone alone")
	})
}

// TestConcurrentFirstAppendsShareOneKey: appends that each find no key for
// the same child, at once, end with one key, which opens all of them.
func TestConcurrentFirstAppendsShareOneKey(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := keysInLog(t, b, b.inner)
		const n = 8
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				report := map[string]any{"case_id": fmt.Sprint("k", i), "child_id": "c5", "jurisdiction": "370902101201",
					"reporter": map[string]any{"type": "neighbour", "name": "李四婶"}, "summary": "独自在家"}
				_, err := s.Append(ctx, eventstore.StreamRef{ID: fmt.Sprint("case-k", i), Type: "case"}, eventstore.NoStream, event(t, "case.report_received", report))
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, keyRows(t, b, "c5"))
		other, _ := keysInLog(t, b, b.inner)
		log, err := other.ReadLog(ctx, 0, 0)
		require.NoError(t, err)
		require.Len(t, log, n)
		for _, e := range log {
			assert.Equal(t, "李四婶", data(t, e)["reporter"].(map[string]any)["name"])
		}
	})
}

// TestRetryWhileTheFirstAttemptIsInFlight: an append retried (the same
// event) while its first attempt, which made the child's key, had not yet
// committed makes a key of its own; when the first lands first, the retry
// is sealed again under the first's key and answered as a retry.
func TestRetryWhileTheFirstAttemptIsInFlight(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		first, _ := keysInLog(t, b, b.inner)
		e := registered(t, "c1")
		stream := eventstore.StreamRef{ID: "child-c1", Type: "child"}
		retry, _ := keysInLog(t, b, racing{CompanionStore: b.inner.(eventstore.CompanionStore), meanwhile: func() {
			_, err := first.Append(ctx, stream, eventstore.NoStream, e)
			assert.NoError(t, err, "the first attempt lands")
		}})
		again, err := retry.Append(ctx, stream, eventstore.NoStream, e)
		require.NoError(t, err, "answered as a retry")
		require.Len(t, again, 1)
		assert.Equal(t, e.ID, again[0].ID)
		assert.Equal(t, "王小明", data(t, again[0])["name"])
		assert.Equal(t, 1, keyRows(t, b, "c1"))
		all, err := b.inner.ReadLog(ctx, 0, 0)
		require.NoError(t, err)
		assert.Len(t, all, 1, "stored once")
	})
}
