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

// TestDeactivateWorker: a deactivated worker's tokens answer 401 from the
// next request on, whatever the role; the register keeps the entry.
func TestDeactivateWorker(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		id, director := f.trainedWorker("child_director", village)
		answer(t, f.do("POST", "/v1/cases", director, reportBody()), http.StatusCreated)

		path := "/v1/workers/" + id + "/deactivation"
		body := map[string]any{"occurred_at": at(2 * time.Second), "reason": "调任乡镇工作"}
		for _, field := range []string{"occurred_at", "reason"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, f.admin, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "occurred_at", problemField(t, f.do("POST", path, f.admin, with(body, "occurred_at", at(time.Hour))), http.StatusUnprocessableEntity))
		problemField(t, f.do("POST", "/v1/workers/no-such-worker/deactivation", f.admin, body), http.StatusNotFound)
		problemField(t, f.do("POST", path, env.Token("admin", otherCounty, "admin-2", ""), body), http.StatusNotFound)

		ans := answer(t, f.do("POST", path, f.admin, body), http.StatusOK)
		assert.Equal(t, []string{"worker.deactivated"}, eventTypes(ans))
		problemField(t, f.do("POST", "/v1/cases", director, reportBody()), http.StatusUnauthorized)
		problemField(t, f.do("GET", "/v1/deadlines", director, nil), http.StatusUnauthorized)
		problemField(t, f.do("POST", path, f.admin, body), http.StatusConflict)
		problemField(t, f.do("POST", "/v1/workers/"+id+"/transfer", f.admin,
			map[string]any{"occurred_at": at(3 * time.Second), "jurisdiction": village[:9] + "202"}), http.StatusConflict)
		assert.Equal(t, []string{"worker.registered", "worker.training_recorded", "worker.deactivated"}, streamTypes(t, env, domain.WorkerStream(id)))

		caseworkerID := f.registerWorker("caseworker", county)
		caseworker := env.Token("caseworker", county, caseworkerID, "")
		assert.Equal(t, http.StatusOK, f.do("GET", "/v1/caseload", caseworker, nil).Status)
		answer(t, f.do("POST", "/v1/workers/"+caseworkerID+"/deactivation", f.admin, body), http.StatusOK)
		problemField(t, f.do("GET", "/v1/caseload", caseworker, nil), http.StatusUnauthorized)
		assert.Equal(t, http.StatusOK, f.do("GET", "/v1/caseload", f.caseworker, nil).Status, "an unregistered caseworker's token still serves")
	})
}

// TestTransferWorker: a transfer moves the worker's post; a token for the
// old post answers 401, one for the new post serves.
func TestTransferWorker(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		id, director := f.trainedWorker("child_director", village)
		newVillage := village[:9] + "202"
		path := "/v1/workers/" + id + "/transfer"
		body := map[string]any{"occurred_at": at(2 * time.Second), "jurisdiction": newVillage}

		for _, field := range []string{"occurred_at", "jurisdiction"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, f.admin, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "jurisdiction", problemField(t, f.do("POST", path, f.admin, with(body, "jurisdiction", village[:9])), http.StatusBadRequest),
			"a director serves a village")
		assert.Equal(t, "jurisdiction", problemField(t, f.do("POST", path, f.admin, with(body, "jurisdiction", "37x")), http.StatusBadRequest))
		problemField(t, f.do("POST", path, f.admin, with(body, "jurisdiction", village)), http.StatusConflict)
		countyAdmin := env.Token("admin", county, "admin-county", "")
		problemField(t, f.do("POST", path, countyAdmin, with(body, "jurisdiction", otherCounty+"101201")), http.StatusForbidden)

		ans := answer(t, f.do("POST", path, countyAdmin, body), http.StatusOK)
		assert.Equal(t, []string{"worker.transferred"}, eventTypes(ans))
		problemField(t, f.do("GET", "/v1/deadlines", director, nil), http.StatusUnauthorized)
		assert.Equal(t, http.StatusOK, f.do("GET", "/v1/deadlines", env.Token("child_director", newVillage, id, ""), nil).Status)
	})
}

// TestCaseworkerOfACityCenter: protection centers exist at county and city
// level (市、县两级), so a caseworker serves a 6- or 4-digit code.
func TestCaseworkerOfACityCenter(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		register := func(jurisdiction string) apitest.Response {
			return f.do("POST", "/v1/workers", f.admin, map[string]any{"name": "刘洋", "role": "caseworker", "jurisdiction": jurisdiction})
		}
		id := answer(t, register(county[:4]), http.StatusCreated).ID
		assert.Equal(t, "jurisdiction", problemField(t, register(village[:9]), http.StatusBadRequest))
		city := env.Token("caseworker", county[:4], id, "")
		opened := answer(t, f.do("POST", "/v1/cases", city, reportBody()), http.StatusCreated)
		read := f.do("GET", "/v1/cases/"+opened.ID+"?min_position="+itoa(int(opened.Events[0].GlobalPosition)), city, nil)
		assert.Equal(t, http.StatusOK, read.Status, "a city center reaches its counties: %s", read.Body)
	})
}

// TestListWorkers: GET /v1/workers lists the register within reach, with
// each worker's qualification now, filtered and paged.
func TestListWorkers(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		trainedID, _ := f.trainedWorker("child_director", village)
		untrainedID := f.registerWorker("child_director", village[:9]+"202")
		lapsedID := f.registerWorker("child_supervisor", village[:9])
		lapsedOn := time.Now().In(chinaTime).AddDate(-2, 0, 0).Format(time.DateOnly)
		answer(t, f.do("POST", "/v1/workers/"+lapsedID+"/training", f.admin, map[string]any{"passed": true, "completed_on": lapsedOn}), http.StatusOK)
		supervisorID, supervisor := f.trainedWorker("child_supervisor", village[:9])
		goneID := f.registerWorker("caseworker", county)
		gone := answer(t, f.do("POST", "/v1/workers/"+goneID+"/deactivation", f.admin,
			map[string]any{"occurred_at": at(2 * time.Second), "reason": "退休"}), http.StatusOK)
		f.registerWorker("child_director", otherCounty+"101201")
		min := "min_position=" + itoa(int(gone.Events[0].GlobalPosition))

		list := func(token, query string) []api.WorkerListing {
			t.Helper()
			var page api.List[api.WorkerListing]
			res := f.do("GET", "/v1/workers?"+min+query, token, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &page)
			return page.Items
		}
		byID := map[string]api.WorkerListing{}
		for _, w := range list(f.caseworker, "") {
			byID[w.ID] = w
		}
		assert.Len(t, byID, 5, "the county's five workers, not the other county's")
		assert.Equal(t, domain.Qualified, byID[trainedID].Qualification)
		assert.NotNil(t, byID[trainedID].LastTrainingOn)
		assert.Equal(t, domain.Untrained, byID[untrainedID].Qualification)
		assert.Nil(t, byID[untrainedID].LastTrainingOn)
		assert.Equal(t, domain.Lapsed, byID[lapsedID].Qualification)
		require.NotNil(t, byID[lapsedID].LastTrainingOn)
		assert.Equal(t, lapsedOn, byID[lapsedID].LastTrainingOn.String())
		assert.False(t, byID[goneID].Active)
		assert.NotNil(t, byID[goneID].DeactivatedAt)
		assert.True(t, byID[trainedID].Active)
		assert.Equal(t, "王芳", byID[trainedID].Name)

		ids := func(ws []api.WorkerListing) []string {
			out := make([]string, len(ws))
			for i, w := range ws {
				out[i] = w.ID
			}
			return out
		}
		assert.ElementsMatch(t, []string{trainedID, untrainedID}, ids(list(f.caseworker, "&role=child_director")))
		assert.ElementsMatch(t, []string{goneID}, ids(list(f.caseworker, "&active=false")))
		assert.ElementsMatch(t, []string{trainedID}, ids(list(f.caseworker, "&jurisdiction="+village)))
		assert.ElementsMatch(t, []string{trainedID, untrainedID, lapsedID, supervisorID}, ids(list(supervisor, "")),
			"a supervisor sees its township")

		var page api.List[api.WorkerListing]
		res := f.do("GET", "/v1/workers?"+min+"&limit=4&jurisdiction="+county, f.admin, nil)
		res.JSON(t, &page)
		require.Len(t, page.Items, 4)
		require.NotNil(t, page.NextCursor)
		rest := list(f.admin, "&limit=4&jurisdiction="+county+"&cursor="+*page.NextCursor)
		assert.Len(t, rest, 1, "five in all")
		assert.NotContains(t, ids(page.Items), rest[0].ID)

		assert.Equal(t, "active", problemField(t, f.do("GET", "/v1/workers?active=maybe", f.admin, nil), http.StatusBadRequest))
		assert.Equal(t, "role", problemField(t, f.do("GET", "/v1/workers?role=mayor", f.admin, nil), http.StatusBadRequest))
	})
}
