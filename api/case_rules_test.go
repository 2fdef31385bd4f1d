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

// ruleBroken checks that res is a 409 naming a rule of the case.
func ruleBroken(t *testing.T, res apitest.Response) {
	t.Helper()
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	var p api.Problem
	res.JSON(t, &p)
	assert.NotEmpty(t, p.Rule)
}

func TestCaseRules(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		caseID := f.openCase()
		on := func(suffix string) string { return "/v1/cases/" + caseID + suffix }
		closure := map[string]any{"occurred_at": at(-time.Hour), "reason": "resolved"}

		ruleBroken(t, f.do("POST", on("/temporary-guardianship/end"), f.caseworker, map[string]any{"occurred_at": at(-time.Hour), "outcome": "transferred"}))
		ruleBroken(t, f.do("POST", on("/reopening"), f.caseworker, map[string]any{"reason": "再次报告"}))
		ruleBroken(t, f.do("POST", on("/referrals/nope/acceptance"), f.caseworker, nil))

		rid := f.makeReferral(caseID)
		ruleBroken(t, f.do("POST", on("/closure"), f.caseworker, closure))
		ruleBroken(t, f.do("POST", on("/referrals/"+rid+"/completion"), f.caseworker, nil))
		police := env.Token("partner", county, "police-1", "police")
		problemField(t, f.do("POST", on("/referrals/"+rid+"/acceptance"), police, nil), http.StatusForbidden)
		answer(t, f.do("POST", on("/referrals/"+rid+"/decline"), f.tokenOf("partner"), map[string]any{"reason": "名额已满"}), http.StatusOK)
		ruleBroken(t, f.do("POST", on("/referrals/"+rid+"/acceptance"), f.caseworker, nil))

		answer(t, f.do("POST", on("/temporary-guardianship"), f.caseworker, map[string]any{
			"occurred_at": at(-time.Hour), "ground": "guardian_missing", "placement": "kin"}), http.StatusOK)
		ruleBroken(t, f.do("POST", on("/closure"), f.caseworker, closure))
		answer(t, f.do("POST", on("/temporary-guardianship/end"), f.caseworker, map[string]any{
			"occurred_at": at(-time.Minute), "outcome": "returned_to_family"}), http.StatusOK)

		closed := answer(t, f.do("POST", on("/closure"), f.caseworker, closure), http.StatusOK)
		assert.Equal(t, []string{"case.closed"}, eventTypes(closed))
		ruleBroken(t, f.do("POST", on("/assessments"), f.caseworker, map[string]any{"occurred_at": at(-time.Hour), "risk": "low", "needs": []string{}}))
		answer(t, f.do("POST", on("/follow-ups"), f.caseworker, map[string]any{"occurred_at": at(-time.Minute), "note": "回访"}), http.StatusOK)

		untrained := f.registerWorker("child_director", village)
		problemField(t, f.do("POST", on("/follow-ups"), env.Token("child_director", village, untrained, ""),
			map[string]any{"occurred_at": at(-time.Minute), "note": "回访"}), http.StatusForbidden)
	})
}
