package sqlite_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/sqlite"
)

const crashChildEnv = "CARELEDGER_CRASH_CHILD_DB"

// TestCrashLosesNothingAcknowledged runs a child process that appends from
// eight goroutines and prints every acknowledged append, kills it with
// SIGKILL mid-stream, and reopens the file: every acknowledged event is
// there, the chain verifies, and appending continues it.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "careledger.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLosesNothingAcknowledged$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	acked := map[int64]string{}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && len(acked) < 300 {
		pos, id, ok := strings.Cut(lines.Text(), " ")
		if !ok {
			continue
		}
		p, err := strconv.ParseInt(pos, 10, 64)
		require.NoError(t, err)
		acked[p] = id
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Len(t, acked, 300, "the child acknowledged appends before it was killed")

	s, err := sqlite.Open(context.Background(), path, eventstore.Options{SealKey: []byte("crash")})
	require.NoError(t, err)
	defer s.Close()
	events, err := s.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	stored := map[int64]string{}
	for _, e := range events {
		stored[e.GlobalPosition] = e.ID.String()
	}
	for p, id := range acked {
		assert.Equal(t, id, stored[p], "acknowledged event at position %d survives the crash", p)
	}
	v, err := s.Verify(context.Background())
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
	out, err := s.Append(context.Background(), eventstore.StreamRef{ID: "after-crash", Type: "case"}, eventstore.NoStream,
		eventstore.NewEvent{Type: "case.note", SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: time.Now()})
	require.NoError(t, err)
	assert.Equal(t, int64(len(events)+1), out[0].GlobalPosition)
	assert.Equal(t, events[len(events)-1].Hash, out[0].PrevHash)
}

// crashChild appends until it is killed, printing "position id" for every
// acknowledged append.
func crashChild(path string) {
	s, err := sqlite.Open(context.Background(), path, eventstore.Options{SealKey: []byte("crash")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				e := eventstore.NewEvent{ID: uuid.Must(uuid.NewV7()), Type: "case.note", SchemaVersion: 1,
					Data: json.RawMessage(fmt.Sprintf(`{"w":%d,"i":%d}`, w, i)), OccurredAt: time.Now()}
				out, err := s.Append(context.Background(), eventstore.StreamRef{ID: fmt.Sprintf("case-%d", w), Type: "case"},
					eventstore.AnyVersion, e)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Printf("%d %s\n", out[0].GlobalPosition, out[0].ID)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
