package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

func TestRegisterChild(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		ans := answer(t, f.do("POST", "/v1/children", f.caseworker, childBody()), http.StatusCreated)
		assert.Equal(t, int64(1), ans.Version)
		assert.Equal(t, []string{"child.registered"}, eventTypes(ans))
		assert.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(ans.ID)))

		for _, field := range []string{"name", "birth_date", "sex", "jurisdiction", "categories", "key_child_flags", "guardian",
			"living_situation", "schooling", "hukou_registered"} {
			assert.Equal(t, field, problemField(t, f.do("POST", "/v1/children", f.caseworker, without(childBody(), field)), http.StatusBadRequest))
		}
		assert.Equal(t, "sex", problemField(t, f.do("POST", "/v1/children", f.caseworker, with(childBody(), "sex", "boy")), http.StatusBadRequest))
		// The Child shape of API.md may carry an id the client chose, and a
		// version of 0; an id already registered is a conflict.
		const mine = "0f8fad5b-d9cb-469f-a165-70867728950e"
		chosen := answer(t, f.do("POST", "/v1/children", f.caseworker, with(with(childBody(), "id", mine), "version", 0)), http.StatusCreated)
		assert.Equal(t, mine, chosen.ID)
		problemField(t, f.do("POST", "/v1/children", f.caseworker, with(childBody(), "id", mine)), http.StatusConflict)
		// Ids are UUIDs, so that none carries personal data (an ID number).
		for _, id := range []string{"a/b", "c-1", "370902201503021234", "0F8FAD5B-D9CB-469F-A165-70867728950E", "{" + mine + "}"} {
			assert.Equal(t, "id", problemField(t, f.do("POST", "/v1/children", f.caseworker, with(childBody(), "id", id)), http.StatusBadRequest), id)
		}
		assert.Equal(t, "version", problemField(t, f.do("POST", "/v1/children", f.caseworker, with(childBody(), "version", 3)), http.StatusBadRequest))
		assert.Equal(t, "guardian.name", problemField(t, f.do("POST", "/v1/children", f.caseworker,
			with(childBody(), "guardian", map[string]any{"relation": "祖父"})), http.StatusBadRequest))
		assert.Equal(t, "birth_date", problemField(t, f.do("POST", "/v1/children", f.caseworker,
			with(childBody(), "birth_date", time.Now().AddDate(1, 0, 0).Format(time.DateOnly))), http.StatusUnprocessableEntity))

		problemField(t, f.do("POST", "/v1/children", f.tokenOf("partner"), childBody()), http.StatusForbidden)
		outside := env.Token("caseworker", otherCounty, "cw-9", "")
		problemField(t, f.do("POST", "/v1/children", outside, childBody()), http.StatusForbidden)
		untrained := f.registerWorker("child_director", village)
		problemField(t, f.do("POST", "/v1/children", env.Token("child_director", village, untrained, ""), childBody()), http.StatusForbidden)

		_, director := f.trainedWorker("child_director", village)
		answer(t, f.do("POST", "/v1/children", director, childBody()), http.StatusCreated)
	})
}

func TestUpdateChildProfile(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		id := f.registerChild()
		path := "/v1/children/" + id + "/profile"
		body := map[string]any{"schooling": "小学四年级"}

		assert.Equal(t, "profile", problemField(t, f.do("POST", path, f.caseworker, map[string]any{}), http.StatusBadRequest))
		assert.Equal(t, "sex", problemField(t, f.do("POST", path, f.caseworker, map[string]any{"sex": "x"}), http.StatusBadRequest))
		problemField(t, f.do("POST", path, f.tokenOf("inspector"), body), http.StatusForbidden)
		problemField(t, f.do("POST", path, env.Token("caseworker", otherCounty, "cw-9", ""), body), http.StatusNotFound)
		problemField(t, f.do("POST", path, f.caseworker, map[string]any{"jurisdiction": otherCounty + "101201"}), http.StatusForbidden)
		problemField(t, f.do("POST", path, f.caseworker, body, "If-Match", `"0"`), http.StatusPreconditionFailed)
		require.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(id)))

		ans := answer(t, f.do("POST", path, f.caseworker, body, "If-Match", `"1"`), http.StatusOK)
		assert.Equal(t, id, ans.ID)
		assert.Equal(t, int64(2), ans.Version)
		assert.Equal(t, []string{"child.profile_updated"}, eventTypes(ans))
		events, err := env.Store.ReadStream(t.Context(), domain.ChildStream(id).String(), 1, 0)
		require.NoError(t, err)
		require.Len(t, events, 1)
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(events[0].Data, &fields))
		assert.Contains(t, fields, "schooling")
		assert.NotContains(t, fields, "name", "only the fields sent are recorded")
	})
}

func TestRecordVisit(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		id := f.registerChild()
		path := "/v1/children/" + id + "/visits"
		body := map[string]any{"occurred_at": at(-time.Hour), "findings": "祖父身体尚可，孩子按时上学", "concerns": []string{}}

		for _, field := range []string{"occurred_at", "findings", "concerns"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, f.caseworker, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "concerns", problemField(t, f.do("POST", path, f.caseworker, with(body, "concerns", []string{"lonely"})), http.StatusBadRequest))
		assert.Equal(t, "occurred_at", problemField(t, f.do("POST", path, f.caseworker, with(body, "occurred_at", at(time.Hour))), http.StatusUnprocessableEntity))
		problemField(t, f.do("POST", path, f.tokenOf("partner"), body), http.StatusForbidden)
		problemField(t, f.do("POST", path, env.Token("caseworker", otherCounty, "cw-9", ""), body), http.StatusNotFound)
		problemField(t, f.do("POST", path, f.caseworker, body, "If-Match", `"3"`), http.StatusPreconditionFailed)
		require.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(id)))

		_, director := f.trainedWorker("child_director", village)
		ans := answer(t, f.do("POST", path, director, with(body, "concerns", []string{"dropout"})), http.StatusOK)
		assert.Equal(t, int64(2), ans.Version)
		assert.Equal(t, []string{"child.visit_recorded"}, eventTypes(ans))
	})
}

func TestConfirmEntrustment(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		id := f.registerChild()
		path := "/v1/children/" + id + "/entrusted-guardianship"
		body := map[string]any{"occurred_at": at(-time.Hour), "entrusted_guardian": map[string]any{"name": "张德福", "relation": "祖父"}, "parents_notified": true}
		_, director := f.trainedWorker("child_director", village)

		for _, field := range []string{"occurred_at", "entrusted_guardian", "parents_notified"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, director, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "occurred_at", problemField(t, f.do("POST", path, director, with(body, "occurred_at", at(time.Hour))), http.StatusUnprocessableEntity))
		problemField(t, f.do("POST", path, f.caseworker, body), http.StatusForbidden)
		_, neighbour := f.trainedWorker("child_director", "370902101202")
		problemField(t, f.do("POST", path, neighbour, body), http.StatusNotFound)
		problemField(t, f.do("POST", path, director, body, "If-Match", `"0"`), http.StatusPreconditionFailed)
		require.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(id)))

		_, supervisor := f.trainedWorker("child_supervisor", village[:9])
		ans := answer(t, f.do("POST", path, supervisor, body), http.StatusOK)
		assert.Equal(t, []string{"child.guardianship_entrustment_confirmed"}, eventTypes(ans))
		assert.Equal(t, int64(2), ans.Version)
	})
}

func TestEraseChild(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		id := f.registerChild()
		path := "/v1/children/" + id + "/erasure"
		body := map[string]any{"reason": "监护人依法申请删除"}

		assert.Equal(t, "reason", problemField(t, f.do("POST", path, f.admin, map[string]any{}), http.StatusBadRequest))
		problemField(t, f.do("POST", path, f.caseworker, body), http.StatusForbidden)
		problemField(t, f.do("POST", path, env.Token("admin", otherCounty, "admin-9", ""), body), http.StatusNotFound)
		problemField(t, f.do("POST", path, f.admin, body, "If-Match", `"0"`), http.StatusPreconditionFailed)

		ans := answer(t, f.do("POST", path, f.admin, body), http.StatusOK)
		assert.Equal(t, []string{"child.data_erased"}, eventTypes(ans))
		problemField(t, f.do("POST", path, f.admin, body), http.StatusConflict)
		assert.Equal(t, []string{"child.registered", "child.data_erased"}, streamTypes(t, env, domain.ChildStream(id)))
	})
}

func TestRecordTraining(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		id := f.registerWorker("child_director", village)
		path := "/v1/workers/" + id + "/training"
		body := map[string]any{"passed": true, "completed_on": time.Now().In(chinaTime).AddDate(0, -1, 0).Format(time.DateOnly)}

		for _, field := range []string{"passed", "completed_on"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, f.admin, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "completed_on", problemField(t, f.do("POST", path, f.admin, with(body, "completed_on", "2026-13-01")), http.StatusBadRequest))
		assert.Equal(t, "completed_on", problemField(t, f.do("POST", path, f.admin,
			with(body, "completed_on", time.Now().AddDate(0, 0, 3).Format(time.DateOnly))), http.StatusUnprocessableEntity))
		problemField(t, f.do("POST", path, f.caseworker, body), http.StatusForbidden)
		problemField(t, f.do("POST", path, env.Token("admin", otherCounty, "admin-9", ""), body), http.StatusNotFound)
		problemField(t, f.do("POST", path, f.admin, body, "If-Match", `"2"`), http.StatusPreconditionFailed)
		director := env.Token("child_director", village, id, "")
		problemField(t, f.do("POST", "/v1/children", director, childBody()), http.StatusForbidden)

		supervisorID, supervisor := f.trainedWorker("child_supervisor", village[:9])
		problemField(t, f.do("POST", "/v1/workers/"+supervisorID+"/training", supervisor, body), http.StatusForbidden)
		ans := answer(t, f.do("POST", path, supervisor, body, "If-Match", `"1"`), http.StatusOK)
		assert.Equal(t, id, ans.ID)
		assert.Equal(t, int64(2), ans.Version)
		assert.Equal(t, []string{"worker.training_recorded"}, eventTypes(ans))
		answer(t, f.do("POST", "/v1/children", director, childBody()), http.StatusCreated)
	})
}
