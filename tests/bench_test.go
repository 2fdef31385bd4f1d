package tests

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// TestBenchHarness runs the end-to-end harness (careledger bench) briefly
// on each backend, on a small demo county, with writers and readers, and
// checks that it measured every figure it prints: the harness the README's
// Performance section quotes must keep working. On PostgreSQL it runs
// two servers on the one database too (--nodes 2), with readers reading
// through one server what writers wrote through the other.
func TestBenchHarness(t *testing.T) {
	runs := []struct {
		name    string
		backend backend
		nodes   int
	}{{"sqlite", backends[0], 1}, {"postgres", backends[1], 1}, {"postgres, two servers", backends[1], 2}}
	for _, run := range runs {
		b := run.backend
		t.Run(run.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"bench", "--dir", t.TempDir(), "--children", "40", "--writers", "4", "--readers", "4",
				"--duration", "2s", "--raw", "300ms", "--json", "--nodes", strconv.Itoa(run.nodes)}
			if b.name == "postgres" {
				args = append(args, "--postgres", pgtest.URL(t))
			}
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(binary, args...)
			cmd.Env = childEnv()
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run(), "stderr: %s", stderr.String())
			var res struct {
				Backend           string         `json:"backend"`
				Nodes             int            `json:"nodes"`
				Events            int64          `json:"events_at_start"`
				Commands          int            `json:"commands"`
				CommandsPerSecond float64        `json:"commands_per_second"`
				CommandP99        float64        `json:"command_p99_ms"`
				Queries           int            `json:"queries"`
				QueryP99          float64        `json:"query_p99_ms"`
				CommandErrors     map[string]int `json:"command_errors"`
				RSSPeakMB         float64        `json:"rss_peak_mb"`
				Raw               float64        `json:"raw_inserts_per_second"`
				Ratio             float64        `json:"ratio_commands_to_raw"`
			}
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), stdout.String())
			assert.Equal(t, b.name, res.Backend)
			assert.Equal(t, run.nodes, res.Nodes)
			assert.Greater(t, res.Events, int64(40), "the demo county was loaded before the server started")
			assert.Positive(t, res.Commands)
			assert.Positive(t, res.Queries)
			assert.Empty(t, res.CommandErrors)
			assert.Positive(t, res.CommandP99)
			assert.Positive(t, res.QueryP99)
			assert.Positive(t, res.RSSPeakMB)
			assert.Positive(t, res.Raw)
			assert.InDelta(t, res.CommandsPerSecond/res.Raw, res.Ratio, 1e-9)
		})
	}
}
