package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// policyBody is the default policy with a stricter police-report clock, as
// a client sends it.
func policyBody(t *testing.T) map[string]any {
	t.Helper()
	p := domain.DefaultPolicy()
	p.PoliceReport = domain.Hours(2)
	raw, err := json.Marshal(p)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body))
	return body
}

func TestChangePolicy(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		body := policyBody(t)
		assert.Equal(t, "2h0m0s", body["police_report"])

		assert.Equal(t, "late_entry", problemField(t, f.do("PUT", "/v1/policy", f.admin, without(body, "late_entry")), http.StatusBadRequest))
		assert.Equal(t, "police_report", problemField(t, f.do("PUT", "/v1/policy", f.admin, with(body, "police_report", "soon")), http.StatusBadRequest))
		assert.Equal(t, "retraining_months", problemField(t, f.do("PUT", "/v1/policy", f.admin, with(body, "retraining_months", 0)), http.StatusBadRequest))
		assert.Equal(t, "owner", problemField(t, f.do("PUT", "/v1/policy", f.admin, with(body, "owner", "x")), http.StatusBadRequest))
		problemField(t, f.do("PUT", "/v1/policy", f.caseworker, body), http.StatusForbidden)
		problemField(t, f.do("PUT", "/v1/policy", f.admin, body, "If-Match", `"3"`), http.StatusPreconditionFailed)

		ans := answer(t, f.do("PUT", "/v1/policy", f.admin, body, "If-Match", `"0"`), http.StatusOK)
		assert.Equal(t, int64(1), ans.Version)
		assert.Equal(t, []string{"policy.deadline_policy_changed"}, eventTypes(ans))
		assert.Equal(t, []string{"policy.deadline_policy_changed"}, streamTypes(t, env, domain.PolicyStream))
		problemField(t, f.do("PUT", "/v1/policy", f.admin, body, "If-Match", `"0"`), http.StatusPreconditionFailed)
	})
}
