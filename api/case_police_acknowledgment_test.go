package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// ruleOf checks that res is a 409 and returns the rule it names.
func ruleOf(t *testing.T, res apitest.Response) string {
	t.Helper()
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	var p api.Problem
	res.JSON(t, &p)
	return p.Rule
}

// TestAcknowledgePolice: the police of the case's county acknowledge a
// report forwarded to them; nobody else may, and not before the forward.
func TestAcknowledgePolice(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		police := env.Token("partner", county, "police-1", "police")
		caseID := f.openCase()
		path := "/v1/cases/" + caseID + "/police-report/acknowledgment"
		body := map[string]any{"occurred_at": at(-30 * time.Minute), "officer": "张警官", "action": "出警，儿童已由祖母接回"}

		assert.Equal(t, "not_forwarded", ruleOf(t, f.do("POST", path, police, body)), "a report never forwarded")
		answer(t, f.do("POST", "/v1/cases/"+caseID+"/police-report", f.caseworker,
			map[string]any{"occurred_at": at(-time.Hour), "police_unit": "泰山区公安分局城关派出所"}), http.StatusOK)

		for _, field := range []string{"occurred_at", "action"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, police, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "action", problemField(t, f.do("POST", path, police, with(body, "action", "  ")), http.StatusBadRequest))
		assert.Equal(t, "unit", problemField(t, f.do("POST", path, police, with(body, "unit", "x")), http.StatusBadRequest))
		assert.Equal(t, "occurred_at", problemField(t, f.do("POST", path, police, with(body, "occurred_at", at(-90*time.Minute))), http.StatusUnprocessableEntity),
			"before the forward")
		assert.Equal(t, "occurred_at", problemField(t, f.do("POST", path, police, with(body, "occurred_at", at(time.Hour))), http.StatusUnprocessableEntity))
		problemField(t, f.do("POST", path, f.tokenOf("partner"), body), http.StatusForbidden) // education
		problemField(t, f.do("POST", path, f.caseworker, body), http.StatusForbidden)
		problemField(t, f.do("POST", path, f.tokenOf("inspector"), body), http.StatusForbidden)
		problemField(t, f.do("POST", path, env.Token("partner", otherCounty, "police-2", "police"), body), http.StatusNotFound)
		problemField(t, f.do("POST", "/v1/cases/no-such-case/police-report/acknowledgment", police, body), http.StatusNotFound)

		first := answer(t, f.do("POST", path, police, body, "Idempotency-Key", "ack-1"), http.StatusOK)
		assert.Equal(t, caseID, first.ID)
		assert.Equal(t, []string{"case.police_acknowledged"}, eventTypes(first))
		retry := answer(t, f.do("POST", path, police, body, "Idempotency-Key", "ack-1"), http.StatusOK)
		assert.Equal(t, first, retry, "a retry answers as the first time")
		answer(t, f.do("POST", path, police, without(body, "officer")), http.StatusOK)
		types := streamTypes(t, env, domain.CaseStream(caseID))
		assert.Equal(t, []string{"case.police_acknowledged", "case.police_acknowledged"}, types[len(types)-2:])
		stored, err := env.Raw.ReadStream(context.Background(), domain.CaseStream(caseID).String(), 0, 0)
		require.NoError(t, err)
		acked := stored[len(stored)-2] // the one with an officer
		assert.Equal(t, "case.police_acknowledged", acked.Type)
		assert.NotContains(t, string(acked.Data), "祖母接回", "what the police did may name the child's people: sealed under the child's key")
		assert.Contains(t, string(acked.Data), `"officer":"张警官"`, "an officer's name is no child's personal data")

		answer(t, f.do("POST", "/v1/cases/"+caseID+"/closure", f.caseworker, map[string]any{"occurred_at": at(-time.Minute), "reason": "resolved"}), http.StatusOK)
		assert.Equal(t, "case_closed", ruleOf(t, f.do("POST", path, police, with(body, "occurred_at", at(0)))))
	})
}
