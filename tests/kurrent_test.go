package tests

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/kurrent/kurrenttest"
)

// TestKurrentServerRestartedAfterACrashSealsItsBatch: on KurrentDB (the
// in-process double), a command's batch lands but its seal fails, and the
// server is killed before it writes again — a crash between claim and
// seal. Restarted on the same data directory, the server recognises the
// claim as its own: the next command goes through at once (another
// writer's claim would be waited for, then refused), and the log
// verifies, the crashed batch sealed in it.
func TestKurrentServerRestartedAfterACrashSealsItsBatch(t *testing.T) {
	double := kurrenttest.New(t)
	s := startServer(t, backend{name: "kurrent", postgres: func(*testing.T) string { return "" },
		kurrent: func(*testing.T) []string { return []string{"--kurrent", double.URL()} }})
	var seen int64
	admin := actor{s: s, token: s.token("admin", "all", "admin"), seen: &seen}
	register := func(name string) answer {
		return s.do(request{method: http.MethodPost, path: "/v1/workers", token: admin.token,
			body: map[string]any{"name": name, "role": "caseworker", "jurisdiction": county}})
	}
	admin.command(http.MethodPost, "/v1/workers", map[string]any{"name": "王芳", "role": "caseworker", "jurisdiction": county}, http.StatusCreated)

	double.FailAppendsAfter("careledger-chain", 1, 1) // the next claim goes through, its seal fails
	failed := register("李娟")
	assert.GreaterOrEqual(t, failed.status, 500, "the command whose seal failed is not acknowledged: %s", failed)
	s.kill()

	s.start()
	again := register("张伟")
	require.Equal(t, http.StatusCreated, again.status, "the restarted server seals its own claim and goes on: %s", again)

	out, err := exec.Command(binary, append([]string{"verify"}, s.storeArgs()...)...).Output()
	require.NoError(t, err, "careledger verify: %s", out)
	var v struct {
		OK      bool  `json:"ok"`
		Checked int64 `json:"checked"`
	}
	require.NoError(t, json.Unmarshal(out, &v))
	assert.True(t, v.OK)
	assert.Equal(t, int64(3), v.Checked, "the three registrations, the crashed one sealed at what landed")
}
