package api_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

func childIDs(path string, w *readWorld, token string) []string {
	w.t.Helper()
	return walk(w, path, token, 500, func(c api.ChildListing) string { return c.ID })
}

func TestListChildren(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		more := []string{w.childID, w.otherChildID}
		for range 5 {
			more = append(more, w.write("POST", "/v1/children", w.caseworker, map[string]any{
				"name": "王小军", "birth_date": "2016-01-02", "sex": "male", "jurisdiction": homeVillage,
				"categories": []string{"left_behind"}, "key_child_flags": []string{},
				"guardian": map[string]any{"name": "王大军", "relation": "父亲"}, "living_situation": "与母亲同住",
				"schooling": "小学", "hukou_registered": true,
			}).ID)
		}
		slices.Sort(more)

		walked := walk(w, "/v1/children", w.caseworker, 2, func(c api.ChildListing) string { return c.ID })
		assert.Equal(t, more, walked, "pages of two walk every child once, in id order")

		assert.Equal(t, []string{w.otherChildID}, childIDs("/v1/children?key_child=true", w, w.caseworker))
		assert.Equal(t, []string{w.otherChildID}, childIDs("/v1/children?category=in_difficulty", w, w.inspector))
		assert.Len(t, childIDs("/v1/children?category=left_behind&key_child=false", w, w.caseworker), 6)
		assert.Equal(t, []string{w.otherChildID}, childIDs("/v1/children?jurisdiction="+nextVillage, w, w.caseworker))

		var page api.List[map[string]any]
		w.getJSON("/v1/children?jurisdiction="+nextVillage, w.caseworker, &page)
		require.Len(t, page.Items, 1)
		assert.NotContains(t, page.Items[0], "guardian", "the list leaves the file's details to the file, whose reads are logged")
		assert.Nil(t, page.NextCursor)

		farInspector := env.Token("inspector", farCounty, "insp-far", "")
		assert.Empty(t, childIDs("/v1/children", w, farInspector), "nothing of another county is listed")
		assert.Equal(t, http.StatusNotFound, w.get("/v1/children?jurisdiction="+homeCounty, farInspector).Status,
			"a filter outside the caller's jurisdiction is not found")
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/children?category=orphan", w.caseworker).Status)
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/children?key_child=maybe", w.caseworker).Status)
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/children?limit=501", w.caseworker).Status)
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/children?cursor=not-a-cursor", w.caseworker).Status)
	})
}
