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

func TestReadCaseload(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		second := w.write("POST", "/v1/cases", w.caseworker, map[string]any{
			"child_id": w.otherChildID, "source": "visit", "reporter": map[string]any{"type": "child_director"},
			"concerns": []string{"illness"}, "risk": "low", "received_at": time.Now().Add(-time.Hour).Format(time.RFC3339),
			"summary": "走访发现",
		}).ID
		w.write("POST", "/v1/cases/"+second+"/assignment", w.caseworker, map[string]any{"worker_id": w.caseworkerID})

		var load api.Caseload
		w.getJSON("/v1/caseload", w.caseworker, &load)
		require.Len(t, load.Items, 2, "one worker with a case, and the unassigned ones")
		byWorker := map[string]int{}
		for _, it := range load.Items {
			byWorker[it.WorkerID] = it.Open
		}
		assert.Equal(t, map[string]int{"": 1, w.caseworkerID: 1}, byWorker)

		w.getJSON("/v1/caseload?worker_id="+w.caseworkerID, w.inspector, &load)
		require.Len(t, load.Items, 1)
		assert.Equal(t, 1, load.Items[0].ByRisk["low"])
		assert.Equal(t, 1, load.Items[0].ByStatus["assigned"])

		w.getJSON("/v1/caseload?jurisdiction="+homeVillage, w.caseworker, &load)
		require.Len(t, load.Items, 1)
		assert.Equal(t, "", load.Items[0].WorkerID, "only the first case lies in the first village")

		farInspector := env.Token("inspector", farCounty, "insp-far", "")
		w.getJSON("/v1/caseload", farInspector, &load)
		assert.Empty(t, load.Items)
		assert.Equal(t, http.StatusNotFound, w.get("/v1/caseload?jurisdiction="+homeCounty, farInspector).Status)
		assert.Equal(t, http.StatusForbidden, w.get("/v1/caseload", w.analyst).Status)
	})
}

func TestReadCaseStats(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		w.write("POST", "/v1/cases/"+w.caseID+"/emergency-response", w.caseworker, map[string]any{
			"occurred_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "action": "taken_into_center"})

		var stats api.CaseStats
		res := w.getJSON("/v1/stats/cases?group_by=concern", w.analyst, &stats)
		assert.Equal(t, "concern", stats.GroupBy)
		counts := map[string]int{}
		for _, g := range stats.Groups {
			counts[g.Key] = g.Count
		}
		assert.Equal(t, map[string]int{"living_alone": 1, "neglect": 1}, counts)
		require.NotNil(t, stats.Groups[0].MedianFirstResponseHours)
		assert.InDelta(t, 1.0, *stats.Groups[0].MedianFirstResponseHours, 0.01, "received two hours ago, answered one hour ago")
		for _, v := range personalValues {
			assert.NotContains(t, string(res.Body), v)
		}

		w.getJSON("/v1/stats/cases?group_by=source&to="+time.Now().Add(-3*time.Hour).UTC().Format(time.RFC3339), w.inspector, &stats)
		assert.Empty(t, stats.Groups, "no case was received before three hours ago")

		farAnalyst := env.Token("analyst", farCounty, "ana-far", "")
		w.getJSON("/v1/stats/cases?group_by=jurisdiction", farAnalyst, &stats)
		assert.Empty(t, stats.Groups, "an analyst counts only its own jurisdiction")

		assert.Equal(t, http.StatusBadRequest, w.get("/v1/stats/cases", w.analyst).Status, "group_by is required")
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/stats/cases?group_by=name", w.analyst).Status)
		assert.Equal(t, http.StatusForbidden, w.get("/v1/stats/cases?group_by=source", w.caseworker).Status)
	})
}
