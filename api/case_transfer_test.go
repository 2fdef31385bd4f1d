package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// TestTransferCase: a case follows a child who moves to another county
// (属地管理): it then lies in the new village, the old county's center no
// longer sees it, the new one does, with nobody assigned.
func TestTransferCase(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		caseID := f.openCase()
		answer(t, f.do("POST", "/v1/cases/"+caseID+"/assignment", f.caseworker, map[string]any{"worker_id": f.registerWorker("caseworker", county)}), http.StatusOK)
		newPlace := otherCounty + "101201" // 岱岳区祝阳镇祝阳村
		path := "/v1/cases/" + caseID + "/transfer"
		body := map[string]any{"occurred_at": at(-time.Minute), "jurisdiction": newPlace, "reason": "随母迁居岱岳区"}

		for _, field := range []string{"occurred_at", "jurisdiction", "reason"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, f.caseworker, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "jurisdiction", problemField(t, f.do("POST", path, f.caseworker, with(body, "jurisdiction", otherCounty)), http.StatusBadRequest),
			"a case lies in a village")
		assert.Equal(t, "jurisdiction", problemField(t, f.do("POST", path, f.caseworker, with(body, "jurisdiction", "370902101245")), http.StatusBadRequest),
			"not in the register")
		problemField(t, f.do("POST", path, f.caseworker, with(body, "jurisdiction", village)), http.StatusConflict)
		problemField(t, f.do("POST", path, f.tokenOf("inspector"), body), http.StatusForbidden)
		problemField(t, f.do("POST", path, env.Token("caseworker", otherCounty, "cw-other", ""), body), http.StatusNotFound)

		ans := answer(t, f.do("POST", path, f.caseworker, body), http.StatusOK)
		assert.Equal(t, []string{"case.transferred"}, eventTypes(ans))
		wait := "?min_position=" + itoa(int(ans.Events[0].GlobalPosition))
		problemField(t, f.do("GET", "/v1/cases/"+caseID+wait, f.caseworker, nil), http.StatusNotFound)

		var c struct {
			Jurisdiction     string `json:"jurisdiction"`
			JurisdictionName string `json:"jurisdiction_name"`
			Assignee         string `json:"assignee"`
		}
		res := f.do("GET", "/v1/cases/"+caseID+wait, env.Token("caseworker", otherCounty, "cw-other", ""), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &c)
		assert.Equal(t, newPlace, c.Jurisdiction)
		assert.Equal(t, "山东省泰安市岱岳区祝阳镇祝阳村委会", c.JurisdictionName)
		assert.Empty(t, c.Assignee)
		assert.Contains(t, streamTypes(t, env, domain.CaseStream(caseID)), "case.transferred")
	})
}
