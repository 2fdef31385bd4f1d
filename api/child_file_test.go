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

func TestReadChildFile(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		var c api.ChildView
		res := w.getJSON("/v1/children/"+w.childID, w.caseworker, &c)
		assert.Equal(t, `"1"`, res.Header.Get("ETag"))
		assert.Equal(t, w.childID, c.ID)
		require.NotNil(t, c.Name)
		assert.Equal(t, "张小明", *c.Name, "Chinese text round-trips unchanged")
		require.NotNil(t, c.IDNumber)
		assert.Equal(t, "2015-03-02", c.BirthDate)
		assert.Equal(t, "male", c.Sex)
		assert.Equal(t, homeVillage, c.Jurisdiction.String())
		assert.Equal(t, []string{"left_behind"}, c.Categories)
		require.NotNil(t, c.Guardian)
		assert.Equal(t, "13800000000", c.Guardian.Phone)
		assert.Nil(t, c.EntrustedGuardian)
		assert.True(t, c.HukouRegistered)
		assert.False(t, c.Erased)

		var raw map[string]any
		w.getJSON("/v1/children/"+w.childID, w.inspector, &raw)
		for _, field := range []string{"id", "name", "birth_date", "sex", "jurisdiction", "categories", "key_child_flags",
			"guardian", "living_situation", "schooling", "hukou_registered", "version"} {
			assert.Contains(t, raw, field, "API.md names the field %s", field)
		}

		w.write("POST", "/v1/cases/"+w.caseID+"/closure", w.caseworker, map[string]any{"occurred_at": at(-time.Minute), "reason": "resolved"})
		w.write("POST", "/v1/children/"+w.childID+"/erasure", w.admin, map[string]any{"reason": "监护人依法申请删除"})
		res = w.getJSON("/v1/children/"+w.childID, w.caseworker, &raw)
		assert.Equal(t, `"2"`, res.Header.Get("ETag"))
		for _, field := range []string{"name", "id_number", "guardian", "entrusted_guardian", "living_situation", "schooling"} {
			v, present := raw[field]
			assert.True(t, present, "%s is still in the file", field)
			assert.Nil(t, v, "after erasure %s is null", field)
		}
		assert.Equal(t, "2015-01-01", raw["birth_date"], "the birth date keeps only its year")
		assert.Equal(t, true, raw["erased"])
		for _, v := range personalValues {
			assert.NotContains(t, string(res.Body), v)
		}

		assert.Equal(t, http.StatusNotFound, w.get("/v1/children/no-such-child", w.caseworker).Status)
	})
}
