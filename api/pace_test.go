package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

// paceBound is how long an answer waits for the read models at most
// (api's maxPace): an answer that took this long may come while they are
// still behind, on a machine slow enough (-race, a busy CI box).
const paceBound = time.Second

// behindAfter counts the commands, of n, whose answer came sooner than
// paceBound while some projection had not yet applied the log to within
// backlog events of the command's last event.
func behindAfter(t *testing.T, env *apitest.Env, n int, backlog int64) int {
	t.Helper()
	<-env.Engine.Started() // until then answers do not wait (a rebuild at start)
	admin := env.Token("admin", "all", "admin-1", "")
	behind := 0
	for range n {
		began := time.Now()
		res := env.Do("POST", "/v1/workers", admin, map[string]any{"name": "王芳", "role": "caseworker", "jurisdiction": "370902"})
		took := time.Since(began)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var ans api.Answer
		res.JSON(t, &ans)
		require.NotEmpty(t, ans.Events)
		if !env.Engine.Reached(ans.Events[len(ans.Events)-1].GlobalPosition-backlog) && took < paceBound {
			behind++
		}
	}
	return behind
}

// TestCommandsKeepThePaceOfTheReadModels: a command's answer waits until
// every projection has applied the log to within the backlog of it (or
// for paceBound), so that the log never runs away from the read models (on SQLite commands
// outran the projections, and the lag grew to 12 s in 45 s). Without the
// wait (a negative backlog), answers come while the projections are still
// behind — which is what makes the first half able to fail.
func TestCommandsKeepThePaceOfTheReadModels(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			paced := apitest.StartWith(t, kind, func(c *api.Config) { c.Backlog = 1 })
			assert.Zero(t, behindAfter(t, paced, 20, 1), "every answer waited for the read models")

			unpaced := apitest.StartWith(t, kind, func(c *api.Config) { c.Backlog = -1 })
			assert.Positive(t, behindAfter(t, unpaced, 20, 1), "without the wait, answers come first")
		})
	}
}
