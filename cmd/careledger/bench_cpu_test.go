//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchCPUCountsWhatAProcessSpent: a process that spins for 300 ms of
// CPU (as the kernel tells it through getrusage) is charged that, to the
// tick, as a server and as the generator (bench's own process), and the
// machine was busy meanwhile.
func TestBenchCPUCountsWhatAProcessSpent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	before, ok := sampleCPU([]int{os.Getpid()}, false)
	require.True(t, ok)
	start := rusage(t)
	for rusage(t)-start < 300*time.Millisecond {
		_ = spin(100_000)
	}
	spent := rusage(t) - start
	after, _ := sampleCPU([]int{os.Getpid()}, false)
	c := before.until(after, 100)
	require.NotNil(t, c)
	assert.InDelta(t, spent.Seconds()*1000/100, c.ServerMsPerRequest, 0.3, "to the tick (10 ms), over 100 requests")
	assert.Equal(t, c.ServerMsPerRequest, c.GeneratorMsPerRequest, "the same process, both ways")
	assert.Greater(t, c.MachineBusyPercent, 0.0)
	assert.LessOrEqual(t, c.MachineBusyPercent, 100.0)
	assert.Equal(t, runtime.NumCPU(), c.Cores)
	assert.Zero(t, c.PostgresCores, "not watched")
}

// rusage is this process's user and system CPU time so far.
func rusage(t *testing.T) time.Duration {
	var u syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &u))
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func spin(n int) int {
	x := 0
	for i := range n {
		x += i * i
	}
	return x
}

// TestBenchCPUOfSamples: cores are CPU seconds over the wall's, and each
// process's milliseconds are over the requests.
func TestBenchCPUOfSamples(t *testing.T) {
	at := time.Now()
	a := cpuSample{at: at, busy: 10, idle: 10, servers: 1, postgres: 2, generator: 0.5, cores: 2}
	b := cpuSample{at: at.Add(2 * time.Second), busy: 13, idle: 11, servers: 3, postgres: 3, generator: 0.7, cores: 2}
	c := a.until(b, 1000)
	assert.InDelta(t, 75.0, c.MachineBusyPercent, 1e-9)
	assert.InDelta(t, 1.0, c.ServerCores, 1e-9)
	assert.InDelta(t, 2.0, c.ServerMsPerRequest, 1e-9)
	assert.InDelta(t, 0.5, c.PostgresCores, 1e-9)
	assert.InDelta(t, 1.0, c.PostgresMsPerRequest, 1e-9)
	assert.InDelta(t, 0.1, c.GeneratorCores, 1e-9)
	assert.InDelta(t, 0.2, c.GeneratorMsPerRequest, 1e-9)
	assert.Nil(t, a.until(a, 1), "no time passed")
}
