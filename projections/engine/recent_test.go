package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careledger/careledger/domain"
)

func positions(events []domain.Recorded) []int64 {
	var out []int64
	for _, e := range events {
		out = append(out, e.Position)
	}
	return out
}

func run(from, to int64) []domain.Recorded {
	var out []domain.Recorded
	for p := from; p <= to; p++ {
		out = append(out, domain.Recorded{Position: p})
	}
	return out
}

func TestRecentGivesOnlyConsecutiveEventsItHolds(t *testing.T) {
	t.Parallel()
	var r recent
	_, ok := r.after(0, 10)
	assert.False(t, ok, "an empty window holds nothing")

	r.add(run(5, 9))
	r.add(run(10, 12))
	got, ok := r.after(6, 3)
	assert.True(t, ok)
	assert.Equal(t, []int64{7, 8, 9}, positions(got), "up to limit, from the checkpoint on")
	got, ok = r.after(4, 100)
	assert.True(t, ok)
	assert.Equal(t, []int64{5, 6, 7, 8, 9, 10, 11, 12}, positions(got))
	_, ok = r.after(3, 10)
	assert.False(t, ok, "position 4 left the window (or never was in it): read the log")
	_, ok = r.after(12, 10)
	assert.False(t, ok, "nothing after the window's last event")

	r.add(run(20, 21))
	_, ok = r.after(11, 10)
	assert.False(t, ok, "a page that does not follow replaces the window")
	got, ok = r.after(19, 10)
	assert.True(t, ok)
	assert.Equal(t, []int64{20, 21}, positions(got))
}

func TestRecentKeepsTheNewestWindow(t *testing.T) {
	t.Parallel()
	var r recent
	r.add(run(1, recentWindow))
	r.add(run(recentWindow+1, recentWindow+100))
	_, ok := r.after(99, 1)
	assert.False(t, ok, "the oldest events were dropped")
	got, ok := r.after(100, 1)
	assert.True(t, ok)
	assert.Equal(t, []int64{101}, positions(got))
	got, _ = r.after(recentWindow+99, 10)
	assert.Equal(t, []int64{recentWindow + 100}, positions(got))
	// What after gives cannot be appended into the window's array.
	got, _ = r.after(100, 2)
	assert.Equal(t, 2, cap(got))
}

// BenchmarkRecentAdd: adding a page to a full window costs about the page,
// not the window.
func BenchmarkRecentAdd(b *testing.B) {
	var r recent
	r.add(run(1, recentWindow))
	next := int64(recentWindow + 1)
	b.ResetTimer()
	for range b.N {
		r.add(run(next, next+9))
		next += 10
	}
}
