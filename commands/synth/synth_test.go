package synth_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/sqlite"
)

func county(t *testing.T, seed uint64, children int) (eventstore.Store, int64) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), eventstore.Options{SealKey: []byte("k")})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	n, err := synth.Make(context.Background(), s, synth.County{Seed: seed, Children: children}, nil)
	require.NoError(t, err)
	return s, n
}

func fingerprint(t *testing.T, s eventstore.Store) []string {
	events, err := s.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	var out []string
	for _, e := range events {
		out = append(out, fmt.Sprintf("%s/%d %s %s %s", e.StreamID, e.StreamVersion, e.Type, e.OccurredAt, e.Data))
	}
	sort.Strings(out)
	return out
}

// TestCountyIsDeterministicAndKeepsTheRules: the same seed makes the same
// county whatever the order of writing; every case replays under the
// domain's rules, and the chain verifies.
func TestCountyIsDeterministicAndKeepsTheRules(t *testing.T) {
	a, n := county(t, 7, 200)
	b, m := county(t, 7, 200)
	assert.Equal(t, n, m)
	assert.Greater(t, n, int64(1000))
	assert.Equal(t, fingerprint(t, a), fingerprint(t, b))
	_, other := county(t, 8, 200)
	assert.NotEqual(t, n, other, "another seed, another county")

	ctx := context.Background()
	v, err := a.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK)
	events, err := a.ReadLog(ctx, 0, 0)
	require.NoError(t, err)
	codec := eventlog.New()
	streams := map[string][]eventstore.Event{}
	for _, e := range events {
		streams[e.StreamID] = append(streams[e.StreamID], e)
	}
	kinds := map[string]int{}
	for _, stream := range streams {
		history, err := codec.Decode(stream)
		require.NoError(t, err)
		for _, r := range history {
			kinds[r.Event.EventType()]++
		}
	}
	for _, kind := range []string{"child.registered", "child.visit_recorded", "case.report_received", "case.assigned",
		"case.referral_completed", "case.temporary_guardianship_started", "case.closed", "worker.training_recorded"} {
		assert.Positive(t, kinds[kind], kind)
	}
}
