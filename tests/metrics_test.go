package tests

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetricLabelsAreBounded: /metrics needs no token, so no request may
// grow it: 300 requests with invented methods and paths leave as many
// series as a handful of real requests do (#14, finding 4).
func TestMetricLabelsAreBounded(t *testing.T) {
	t.Parallel()
	s := startServer(t, backends[0])
	series := func() int {
		t.Helper()
		res := s.do(request{method: http.MethodGet, path: "/metrics"})
		require.Equal(t, http.StatusOK, res.status)
		n := 0
		for _, line := range strings.Split(string(res.body), "\n") {
			if strings.HasPrefix(line, "careledger_http_") {
				n++
			}
		}
		return n
	}
	for i := range 3 {
		s.do(request{method: fmt.Sprintf("BREW%d", i), path: "/v1/cases"})
	}
	series() // a read of /metrics is itself counted, once
	before := series()
	for i := range 300 {
		s.do(request{method: fmt.Sprintf("BREW%d", i), path: fmt.Sprintf("/v1/cases/%d", i)})
	}
	assert.Equal(t, before, series(), "invented methods and paths add no series")
}
