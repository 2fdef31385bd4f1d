package commands_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/eventstore"
)

// erasedFingerprints reads a store as the sealing store reads it once the
// child's key is destroyed: every request fingerprint reads as "".
type erasedFingerprints struct{ eventstore.Store }

func (s erasedFingerprints) ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	events, err := s.Store.ReadStream(ctx, streamID, afterVersion, limit)
	for i := range events {
		var meta map[string]json.RawMessage
		if json.Unmarshal(events[i].Metadata, &meta) == nil {
			delete(meta, "request_hash")
			events[i].Metadata, _ = json.Marshal(meta)
		}
	}
	return events, err
}

// TestNoReplayWithoutTheFingerprint (#14, finding 6): when the fingerprint
// of a key's first request is no longer on record (an erasure destroyed
// it), the same key with the very same request is not replayed — that
// would confirm a guess of the erased body — but answered as a reused key,
// saying why, and nothing is appended.
func TestNoReplayWithoutTheFingerprint(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		first, err := w.report(t, w.director, "key-1")
		require.NoError(t, err)
		head, err := store.Head(ctx)
		require.NoError(t, err)

		w.h = commands.New(erasedFingerprints{store}, commands.WithClock(func() time.Time { return now }))
		_, err = w.report(t, w.director, "key-1")
		require.ErrorIs(t, err, commands.ErrIdempotencyKeyReused)
		assert.ErrorContains(t, err, "erasure")
		after, err := store.Head(ctx)
		require.NoError(t, err)
		assert.Equal(t, head, after, "nothing appended")

		other, err := w.report(t, w.director, "key-2")
		require.NoError(t, err, "a new key works as ever")
		assert.NotEqual(t, first.ID, other.ID)
	})
}
