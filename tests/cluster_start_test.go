package tests

import (
	"bufio"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// TestServersStartTogetherOnAFreshDatabase: three 'careledger serve'
// processes started at the same moment on one fresh PostgreSQL database
// (#16: two runs of three crashed, "duplicate key value violates unique
// constraint pg_type_typname_nsp_index", from the key service's and the
// access log's CREATE TABLE IF NOT EXISTS) all come up and answer, round
// after round.
func TestServersStartTogetherOnAFreshDatabase(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			url := pgtest.NewDatabase(t)
			// One data directory: the nodes share the master, seal and token
			// keys (made here, before any node starts, in the directory's
			// own SQLite file, which the nodes do not use).
			data := t.TempDir()
			out, err := exec.Command(binary, "token", "issue", "--role", "admin", "--jurisdiction", "all", "--subject", "admin", "--data", data).CombinedOutput()
			require.NoError(t, err, "%s", out)

			const nodes = 3
			errs := make([]error, nodes)
			logs := make([]*syncBuffer, nodes)
			var wg sync.WaitGroup
			for i := range nodes {
				logs[i] = &syncBuffer{}
				wg.Go(func() { errs[i] = startNode(t, data, url, logs[i]) })
			}
			wg.Wait()
			for i, err := range errs {
				assert.NoError(t, err, "node %d:\n%s", i, logs[i].String())
			}
		})
	}
}

// startNode starts 'careledger serve' on the store and waits until it is
// ready; the process is killed when the test ends.
func startNode(t *testing.T, data, postgres string, log *syncBuffer) error {
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", data, "--postgres", postgres)
	cmd.Env = childEnv()
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "careledger listening on "); ok {
				select {
				case addr <- a:
				default:
				}
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case err := <-exited:
		exited <- err
		return fmt.Errorf("exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no address within 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within 30 s (last: %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
