package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

func TestOpenInquiry(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		report := answer(t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated)
		inspector := f.tokenOf("inspector")
		body := map[string]any{"case_id": report.ID, "incident_at": at(-time.Hour), "reason": "儿童走失，倒查"}

		assert.Equal(t, "case_id", problemField(t, f.do("POST", "/v1/inquiries", inspector, without(body, "case_id")), http.StatusBadRequest))
		assert.Equal(t, "case_id", problemField(t, f.do("POST", "/v1/inquiries", inspector, with(body, "child_id", report.ChildID)), http.StatusBadRequest))
		for _, field := range []string{"incident_at", "reason"} {
			assert.Equal(t, field, problemField(t, f.do("POST", "/v1/inquiries", inspector, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "incident_at", problemField(t, f.do("POST", "/v1/inquiries", inspector, with(body, "incident_at", at(time.Hour))), http.StatusUnprocessableEntity))
		problemField(t, f.do("POST", "/v1/inquiries", f.caseworker, body), http.StatusForbidden)
		problemField(t, f.do("POST", "/v1/inquiries", env.Token("inspector", otherCounty, "insp-9", ""), body), http.StatusNotFound)
		problemField(t, f.do("POST", "/v1/inquiries", inspector, with(body, "case_id", "no-such-case")), http.StatusNotFound)

		ans := answer(t, f.do("POST", "/v1/inquiries", inspector, body), http.StatusCreated)
		assert.Equal(t, int64(1), ans.Version)
		assert.Equal(t, []string{"inquiry.opened"}, eventTypes(ans))
		assert.Equal(t, []string{"inquiry.opened"}, streamTypes(t, env, domain.InquiryStream(ans.ID)))

		byChild := with(without(body, "case_id"), "child_id", report.ChildID)
		other := answer(t, f.do("POST", "/v1/inquiries", inspector, byChild), http.StatusCreated)
		assert.NotEqual(t, ans.ID, other.ID)
	})
}
