package eventstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// fakeLog is a log of a given length that every walk finds intact. A walk
// waits for a token on gate when gate is set, and fails when fail is set.
type fakeLog struct {
	mu    sync.Mutex
	head  int64
	fail  error
	froms []int64
	gate  chan struct{}
}

func (f *fakeLog) VerifyFrom(ctx context.Context, from eventstore.Anchor) (eventstore.Verification, eventstore.Anchor, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return eventstore.Verification{}, eventstore.Anchor{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.froms = append(f.froms, from.Position)
	if f.fail != nil {
		return eventstore.Verification{}, eventstore.Anchor{}, f.fail
	}
	walked := f.head - max(from.Position, 1) + 1
	return eventstore.Verification{OK: true, Checked: walked}, eventstore.Anchor{Position: f.head, Hash: eventstore.Hash{byte(f.head)}}, nil
}

func (f *fakeLog) set(head int64, fail error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.head, f.fail = head, fail
}

func (f *fakeLog) walkedFrom() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.froms...)
}

// TestVerifierWaitEndsWithItsCaller: a caller that goes away stops
// waiting at once, but the walk it began runs on — others may share it —
// and what it verified is where the next check starts.
func TestVerifierWaitEndsWithItsCaller(t *testing.T) {
	t.Parallel()
	log := &fakeLog{head: 10, gate: make(chan struct{})}
	v := eventstore.NewVerifier(log, eventstore.VerifierOptions{})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx)
		done <- err
	}()
	require.Eventually(t, func() bool { return v.Stats().Checks == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the caller still waits after its context ended")
	}

	log.gate <- struct{}{} // the abandoned walk goes on
	require.Eventually(t, func() bool { return v.Stats().Walks == 1 }, 10*time.Second, time.Millisecond)
	close(log.gate)
	log.set(12, nil)
	c, err := v.Verify(context.Background())
	require.NoError(t, err)
	assert.False(t, c.Full)
	assert.Equal(t, int64(3), c.Walked)
	assert.Equal(t, int64(12), c.Checked)
	assert.Equal(t, []int64{0, 10}, log.walkedFrom())
}

// TestVerifierKeepsItsHeadThroughAFailedWalk: a walk that cannot read the
// log is an error, not a verdict, and changes nothing the verifier knows.
func TestVerifierKeepsItsHeadThroughAFailedWalk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := &fakeLog{head: 10}
	v := eventstore.NewVerifier(log, eventstore.VerifierOptions{})
	first, err := v.Verify(ctx)
	require.NoError(t, err)
	require.True(t, first.Full)

	down := errors.New("database unreachable")
	log.set(11, down)
	_, err = v.Verify(ctx)
	require.ErrorIs(t, err, down)

	log.set(11, nil)
	c, err := v.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, c.OK)
	assert.False(t, c.Full)
	assert.Equal(t, int64(11), c.Checked)
	assert.Equal(t, first.LastFullWalk, c.LastFullWalk)
	assert.Equal(t, []int64{0, 10, 10}, log.walkedFrom())
}
