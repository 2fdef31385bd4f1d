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

		res := w.getJSON("/v1/caseload?worker_id="+w.caseworkerID, w.inspector, &load)
		assert.Contains(t, string(res.Body), `"by_status":{"assigned":1,"in_guardianship":0,"unassigned":0},"by_risk":{"high":0,"low":1,"medium":0}`,
			"every status and risk is named, 0 where no case falls")
		require.Len(t, load.Items, 1)
		assert.Equal(t, 1, load.Items[0].ByRisk.Low)
		assert.Equal(t, 1, load.Items[0].ByStatus.Assigned)

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

		// One case: under the policy's minimum cell (5), every group is
		// withheld whole — no count, no time that would single it out.
		var stats api.CaseStats
		res := w.getJSON("/v1/stats/cases?group_by=concern", w.analyst, &stats)
		assert.Equal(t, "concern", stats.GroupBy)
		require.Len(t, stats.Groups, 2)
		for _, g := range stats.Groups {
			assert.True(t, g.Suppressed, g.Key)
			assert.Nil(t, g.Count, g.Key)
			assert.Nil(t, g.MedianFirstResponseHours, g.Key)
		}
		assert.Contains(t, string(res.Body), `"count":null`)

		policy := domain.DefaultPolicy()
		policy.MinCell = 1
		w.write("PUT", "/v1/policy", w.admin, policy)
		res = w.getJSON("/v1/stats/cases?group_by=concern", w.analyst, &stats)
		counts := map[string]int{}
		for _, g := range stats.Groups {
			require.NotNil(t, g.Count, g.Key)
			counts[g.Key] = *g.Count
		}
		assert.Equal(t, map[string]int{"living_alone": 1, "neglect": 1}, counts)
		require.NotNil(t, stats.Groups[0].MedianFirstResponseHours)
		assert.InDelta(t, 1.0, *stats.Groups[0].MedianFirstResponseHours, 0.01, "received two hours ago, answered one hour ago")
		for _, v := range personalValues {
			assert.NotContains(t, string(res.Body), v)
		}

		// The case was received two hours ago (newReadWorld): by China's
		// calendar that may be yesterday, between 00:00 and 02:00.
		received := time.Now().Add(-2 * time.Hour).In(chinaTime)
		dayBefore := received.AddDate(0, 0, -1).Format(time.DateOnly)
		w.getJSON("/v1/stats/cases?group_by=source&to="+dayBefore, w.inspector, &stats)
		assert.Empty(t, stats.Groups, "no case was received by the end of the day before")
		day := received.Format(time.DateOnly)
		w.getJSON("/v1/stats/cases?group_by=source&from="+day+"&to="+day, w.inspector, &stats)
		assert.Len(t, stats.Groups, 1, "the whole of the day it was received")
		assert.Equal(t, "to", problemField(t, w.get("/v1/stats/cases?group_by=source&to="+time.Now().UTC().Format(time.RFC3339), w.inspector),
			http.StatusBadRequest), "statistics count whole days, not seconds")

		// An analyst sees townships, never a village.
		w.getJSON("/v1/stats/cases?group_by=jurisdiction", w.analyst, &stats)
		for _, g := range stats.Groups {
			assert.Len(t, g.Key, 9, "a township: %s", g.Key)
		}
		assert.Equal(t, "jurisdiction", problemField(t, w.get("/v1/stats/cases?group_by=source&jurisdiction="+homeCounty+"101201", w.analyst),
			http.StatusBadRequest))
		w.getJSON("/v1/stats/cases?group_by=jurisdiction", w.inspector, &stats)
		assert.Len(t, stats.Groups[0].Key, 12, "an inspector sees the village")

		farAnalyst := env.Token("analyst", farCounty, "ana-far", "")
		w.getJSON("/v1/stats/cases?group_by=jurisdiction", farAnalyst, &stats)
		assert.Empty(t, stats.Groups, "an analyst counts only its own jurisdiction")

		assert.Equal(t, http.StatusBadRequest, w.get("/v1/stats/cases", w.analyst).Status, "group_by is required")
		assert.Equal(t, http.StatusBadRequest, w.get("/v1/stats/cases?group_by=name", w.analyst).Status)
		assert.Equal(t, http.StatusForbidden, w.get("/v1/stats/cases?group_by=source", w.caseworker).Status)
	})
}
