package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

// TestMinPositionWaitsAreBounded: a min_position the read models have not
// reached holds a request, so only so many may wait at once; past that a
// request answers 503 with Retry-After at once instead of holding a
// connection (#14, finding 10). One that needs no wait never queues.
func TestMinPositionWaitsAreBounded(t *testing.T) {
	t.Parallel()
	env := apitest.StartWith(t, "sqlite", func(c *api.Config) { c.MaxWaiters, c.MinPositionWait = 2, 3*time.Second })
	token := env.Token("inspector", "370902", "insp-1", "")
	const far = "/v1/deadlines?min_position=1000000000"
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); env.Do("GET", far, token, nil) }()
	}
	time.Sleep(500 * time.Millisecond) // both wait
	start := time.Now()
	res := env.Do("GET", far, token, nil)
	assert.Equal(t, http.StatusServiceUnavailable, res.Status)
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
	assert.Less(t, time.Since(start), time.Second, "refused at once, not after the wait")
	assert.Equal(t, http.StatusOK, env.Do("GET", "/v1/deadlines?min_position=0", token, nil).Status, "no wait, no queue")
	wg.Wait()
}
