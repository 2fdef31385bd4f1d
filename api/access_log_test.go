package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

func TestAccessLogRecordsReads(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		for _, path := range []string{
			"/v1/children/" + w.childID, "/v1/children/" + w.childID + "/timeline", "/v1/cases/" + w.caseID,
			"/v1/cases/" + w.caseID + "/timeline", "/v1/cases/" + w.caseID + "/events",
		} {
			require.Equal(t, http.StatusOK, w.get(path, w.caseworker).Status, path)
		}
		require.Equal(t, http.StatusOK, w.get("/v1/children", w.caseworker).Status)
		require.Equal(t, http.StatusNotFound, w.get("/v1/children/no-such-child", w.caseworker).Status)

		var log api.List[api.AccessLogEntry]
		w.getJSON("/v1/access-log?child_id="+w.childID, w.inspector, &log)
		actions := []string{}
		for _, e := range log.Items {
			assert.Equal(t, w.caseworkerID, e.Subject)
			assert.Equal(t, "caseworker", e.Role)
			assert.Equal(t, w.childID, e.ChildID)
			assert.False(t, e.At.IsZero())
			actions = append(actions, e.Action)
		}
		assert.Equal(t, []string{"read_child_file", "read_child_timeline", "read_case", "read_case_timeline", "read_case_events", "list"}, actions,
			"every read of the child's file, case or timelines, and every list that showed the child, in order; a miss is no read")

		var raw map[string]any
		w.getJSON("/v1/access-log?child_id="+w.childID, w.inspector, &raw)
		first := raw["items"].([]any)[0].(map[string]any)
		for _, field := range []string{"subject", "role", "child_id", "at", "action"} {
			assert.Contains(t, first, field)
		}

		w.getJSON("/v1/access-log?child_id="+w.otherChildID, w.inspector, &log)
		require.Len(t, log.Items, 1, "the other child was read only in the list")
		assert.Equal(t, "list", log.Items[0].Action)

		walked := walk(w, "/v1/access-log", w.inspector, 2, func(e api.AccessLogEntry) string { return e.ID })
		assert.Len(t, walked, 7, "pages of two walk every entry once (the inspector's own reads of the log are not entries)")
		seen := map[string]bool{}
		for _, id := range walked {
			assert.False(t, seen[id], "entry %s listed twice", id)
			seen[id] = true
		}

		farInspector := env.Token("inspector", farCounty, "insp-far", "")
		w.getJSON("/v1/access-log", farInspector, &log)
		assert.Empty(t, log.Items, "reads of another county's children are not shown")
		assert.Equal(t, http.StatusNotFound, w.get("/v1/access-log?jurisdiction="+homeCounty, farInspector).Status)
		assert.Equal(t, http.StatusForbidden, w.get("/v1/access-log", w.analyst).Status)
		assert.Equal(t, http.StatusForbidden, w.get("/v1/access-log", w.caseworker).Status)
	})
}
