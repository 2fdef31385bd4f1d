package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

func TestReceiveReport(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		ans := answer(t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated)
		assert.Equal(t, int64(1), ans.Version)
		assert.Equal(t, []string{"case.report_received"}, eventTypes(ans))
		require.NotEmpty(t, ans.ChildID, "the answer names the child registered with the report")
		assert.Equal(t, []string{"case.report_received"}, streamTypes(t, env, domain.CaseStream(ans.ID)))
		assert.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(ans.ChildID)))

		known := with(without(reportBody(), "child"), "child_id", ans.ChildID)
		again := answer(t, f.do("POST", "/v1/cases", f.caseworker, known), http.StatusCreated)
		assert.Equal(t, ans.ChildID, again.ChildID)
		assert.NotEqual(t, ans.ID, again.ID)

		log, err := env.Store.ReadLog(t.Context(), 0, 0)
		require.NoError(t, err)
		for _, field := range []string{"source", "reporter", "concerns", "risk", "received_at", "summary"} {
			assert.Equal(t, field, problemField(t, f.do("POST", "/v1/cases", f.caseworker, without(reportBody(), field)), http.StatusBadRequest))
		}
		assert.Equal(t, "child_id", problemField(t, f.do("POST", "/v1/cases", f.caseworker, without(reportBody(), "child")), http.StatusBadRequest))
		assert.Equal(t, "child_id", problemField(t, f.do("POST", "/v1/cases", f.caseworker, with(reportBody(), "child_id", ans.ChildID)), http.StatusBadRequest))
		assert.Equal(t, "child.name", problemField(t, f.do("POST", "/v1/cases", f.caseworker, with(reportBody(), "child", without(childBody(), "name"))), http.StatusBadRequest))
		assert.Equal(t, "reporter.type", problemField(t, f.do("POST", "/v1/cases", f.caseworker, with(reportBody(), "reporter", map[string]any{"name": "李婶"})), http.StatusBadRequest))
		assert.Equal(t, "concerns", problemField(t, f.do("POST", "/v1/cases", f.caseworker, with(reportBody(), "concerns", []string{"sadness"})), http.StatusBadRequest))
		assert.Equal(t, "risk", problemField(t, f.do("POST", "/v1/cases", f.caseworker, with(reportBody(), "risk", "extreme")), http.StatusBadRequest))
		assert.Equal(t, "received_at", problemField(t, f.do("POST", "/v1/cases", f.caseworker, with(reportBody(), "received_at", at(time.Hour))), http.StatusUnprocessableEntity))

		assert.Equal(t, "reporter.phone", problemField(t, f.do("POST", "/v1/cases", f.caseworker,
			with(reportBody(), "reporter", map[string]any{"type": "neighbour", "phone": "call me"})), http.StatusBadRequest))
		after, err := env.Store.ReadLog(t.Context(), 0, 0)
		require.NoError(t, err)
		assert.Equal(t, len(log), len(after), "a refused report registers no new child")

		problemField(t, f.do("POST", "/v1/cases", f.tokenOf("partner"), reportBody()), http.StatusForbidden)
		problemField(t, f.do("POST", "/v1/cases", env.Token("caseworker", otherCounty, "cw-9", ""), known), http.StatusNotFound)
		// A mandatory report is never refused for want of training (强制报告).
		untrained := f.registerWorker("child_director", village)
		reported := answer(t, f.do("POST", "/v1/cases", env.Token("child_director", village, untrained, ""), known), http.StatusCreated)
		_, director := f.trainedWorker("child_director", village)
		trained := answer(t, f.do("POST", "/v1/cases", director, known), http.StatusCreated)
		for id, want := range map[string]string{reported.ID: "untrained", trained.ID: "qualified"} {
			var events api.List[api.EventView]
			res := f.do("GET", "/v1/cases/"+id+"/events", f.caseworker, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &events)
			require.Len(t, events.Items, 1)
			assert.Equal(t, want, events.Items[0].Actor.Qualification, "the act carries where the actor's training stood")
		}
	})
}

func TestReceiveReportRetriedWithANewChild(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		body := reportBody()
		first := f.do("POST", "/v1/cases", f.caseworker, body, "Idempotency-Key", "hotline-0042")
		ans := answer(t, first, http.StatusCreated)
		log, err := env.Store.ReadLog(t.Context(), 0, 0)
		require.NoError(t, err)

		retry := f.do("POST", "/v1/cases", f.caseworker, body, "Idempotency-Key", "hotline-0042")
		var again api.Answer
		require.Equal(t, http.StatusCreated, retry.Status, string(retry.Body))
		retry.JSON(t, &again)
		assert.Equal(t, ans, again, "a retry answers as the first time did")
		assert.Equal(t, first.Header.Get("ETag"), retry.Header.Get("ETag"))
		after, err := env.Store.ReadLog(t.Context(), 0, 0)
		require.NoError(t, err)
		assert.Equal(t, len(log), len(after), "a retry appends nothing")
		assert.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(ans.ChildID)))
		assert.Equal(t, []string{"case.report_received"}, streamTypes(t, env, domain.CaseStream(ans.ID)))

		other := f.do("POST", "/v1/cases", f.caseworker, with(body, "risk", "low"), "Idempotency-Key", "hotline-0042")
		problemField(t, other, http.StatusUnprocessableEntity)
	})
}
