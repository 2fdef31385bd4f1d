package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestWriterSchedule: the writers share the rate, their slots spread over
// the interval; a writer behind its schedule sends at once and then keeps
// to the interval, without a burst to catch up.
func TestWriterSchedule(t *testing.T) {
	assert.Nil(t, writerSchedule(time.Now(), 0, 4, 0), "no rate: no schedule")

	began := time.Now().Add(time.Second)
	second := writerSchedule(began, 10, 2, 1) // 10/s between 2 writers: every 200 ms, the second 100 ms in
	assert.InDelta(t, 1100*time.Millisecond, second(), float64(20*time.Millisecond))
	assert.InDelta(t, 1300*time.Millisecond, second(), float64(20*time.Millisecond), "its next slot, 200 ms on")

	late := writerSchedule(time.Now().Add(-time.Second), 10, 1, 0) // ten slots missed
	assert.Zero(t, late(), "behind: at once")
	assert.InDelta(t, 100*time.Millisecond, late(), float64(20*time.Millisecond), "then on the interval, not a burst")
}
