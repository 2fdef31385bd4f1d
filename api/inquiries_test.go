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

// TestInquiriesAndTheLegalHold: GET /v1/inquiries lists the inquiries in
// reach; an open inquiry into a child's case holds the child's record
// against erasure even once the case is closed.
func TestInquiriesAndTheLegalHold(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		inspector := f.tokenOf("inspector")
		report := answer(t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated)
		caseID := report.ID
		answer(t, f.do("POST", "/v1/cases/"+caseID+"/closure", f.caseworker, map[string]any{"occurred_at": at(-time.Minute), "reason": "resolved"}), http.StatusOK)
		opened := answer(t, f.do("POST", "/v1/inquiries", inspector, map[string]any{"case_id": caseID, "incident_at": at(-time.Hour), "reason": "倒查"}), http.StatusCreated)
		wait := "min_position=" + itoa(int(opened.Events[0].GlobalPosition))

		var list api.List[api.Inquiry]
		res := f.do("GET", "/v1/inquiries?status=open&"+wait, inspector, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &list)
		require.Len(t, list.Items, 1)
		assert.Equal(t, opened.ID, list.Items[0].ID)
		assert.Equal(t, caseID, list.Items[0].CaseID)
		assert.Equal(t, village, list.Items[0].Jurisdiction.String())
		assert.Equal(t, "open", list.Items[0].Status)
		assert.Contains(t, string(res.Body), `"jurisdiction_name":"山东省泰安市泰山区邱家店镇邱家店村委会"`)

		res = f.do("GET", "/v1/inquiries?status=closed&"+wait, inspector, nil)
		res.JSON(t, &list)
		assert.Empty(t, list.Items)
		assert.Equal(t, "status", problemField(t, f.do("GET", "/v1/inquiries?status=pending", inspector, nil), http.StatusBadRequest))
		res = f.do("GET", "/v1/inquiries?"+wait, env.Token("inspector", otherCounty, "insp-9", ""), nil)
		res.JSON(t, &list)
		assert.Empty(t, list.Items, "another county's inspector sees none")

		var c struct {
			ChildID string `json:"child_id"`
		}
		f.do("GET", "/v1/cases/"+caseID+"?"+wait, f.caseworker, nil).JSON(t, &c)
		held := f.do("POST", "/v1/children/"+c.ChildID+"/erasure", f.admin, map[string]any{"reason": "监护人申请删除"})
		require.Equal(t, http.StatusConflict, held.Status, string(held.Body))
		assert.Contains(t, string(held.Body), "inquiry "+opened.ID+" is open")
		assert.NotContains(t, string(held.Body), "case "+caseID+" is open", "the case is closed")
	})
}
