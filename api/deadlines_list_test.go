package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

func deadlines(w *readWorld, path, token string) []api.Deadline {
	w.t.Helper()
	var page api.List[api.Deadline]
	w.getJSON(path, token, &page)
	require.Nil(w.t, page.NextCursor, "the test's lists fit one page")
	return page.Items
}

func TestListDeadlines(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		w.write("POST", "/v1/cases/"+w.caseID+"/assignment", w.caseworker, map[string]any{"worker_id": w.caseworkerID})

		all := deadlines(w, "/v1/deadlines?limit=500", w.caseworker)
		require.NotEmpty(t, all)
		keys := make([]string, len(all))
		for i, d := range all {
			keys[i] = d.Key
			assert.Contains(t, []string{"open", "met", "met_late", "missed"}, d.Status)
			assert.NotEmpty(t, d.Owner)
			assert.False(t, d.DueAt.IsZero())
		}
		walked := walk(w, "/v1/deadlines", w.caseworker, 2, func(d api.Deadline) string { return d.Key })
		assert.Equal(t, keys, walked, "pages of two walk every obligation once")

		open := deadlines(w, "/v1/deadlines?status=open&limit=500", w.inspector)
		require.NotEmpty(t, open)
		for _, d := range open {
			assert.Equal(t, "open", d.Status)
		}

		mine := deadlines(w, "/v1/deadlines?owner="+w.caseworkerID+"&limit=500", w.caseworker)
		require.NotEmpty(t, mine, "the assigned caseworker owns the assessment")
		kinds := []string{}
		for _, d := range mine {
			assert.Equal(t, w.caseworkerID, d.Owner)
			kinds = append(kinds, d.Kind)
		}
		assert.Contains(t, kinds, "assessment")

		inNext := deadlines(w, "/v1/deadlines?jurisdiction="+nextVillage+"&limit=500", w.caseworker)
		require.NotEmpty(t, inNext)
		for _, d := range inNext {
			assert.True(t, strings.HasPrefix(d.Jurisdiction.String(), nextVillage))
			assert.Equal(t, w.otherChildID, d.SubjectID)
		}

		soon := time.Now().Add(12 * time.Hour)
		due := deadlines(w, "/v1/deadlines?limit=500&due_before="+url.QueryEscape(soon.Format(time.RFC3339)), w.caseworker)
		require.NotEmpty(t, due, "the police report and the assignment fall due within hours")
		for _, d := range due {
			assert.True(t, d.DueAt.Before(soon))
		}
		assert.Less(t, len(due), len(all))
		assert.True(t, slices.ContainsFunc(due, func(d api.Deadline) bool { return d.Kind == "police_report" }))

		farInspector := env.Token("inspector", farCounty, "insp-far", "")
		assert.Empty(t, deadlines(w, "/v1/deadlines", farInspector))
		assert.Equal(t, http.StatusNotFound, w.get("/v1/deadlines?jurisdiction="+homeVillage, farInspector).Status)
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/deadlines?status=late", w.caseworker).Status)
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/deadlines?due_before=soon", w.caseworker).Status)
	})
}
