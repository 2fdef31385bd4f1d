package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

// TestCoverage: every township and village of the register under the
// prefix is listed with the active worker holding its post, or vacant —
// also a village nobody was ever registered in (事有人干).
func TestCoverage(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		township := village[:9] // 邱家店镇: 44 villages
		qualified, _ := f.trainedWorker("child_director", village)
		untrained := f.registerWorker("child_director", township+"202")
		gone := f.registerWorker("child_director", township+"203")
		supervisor, _ := f.trainedWorker("child_supervisor", township)
		ans := answer(t, f.do("POST", "/v1/workers/"+gone+"/deactivation", f.admin,
			map[string]any{"occurred_at": at(time.Second), "reason": "外出务工"}), http.StatusOK)
		wait := "min_position=" + itoa(int(ans.Events[0].GlobalPosition))

		var items []api.CoverageItem
		next := "/v1/coverage?jurisdiction=" + township + "&limit=10&" + wait
		pages := 0
		for next != "" {
			var page api.List[api.CoverageItem]
			res := f.do("GET", next, f.admin, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &page)
			items = append(items, page.Items...)
			pages++
			next = ""
			if page.NextCursor != nil {
				next = "/v1/coverage?jurisdiction=" + township + "&limit=10&cursor=" + url.QueryEscape(*page.NextCursor)
			}
		}
		require.Len(t, items, 45, "the township and its 44 villages")
		assert.Equal(t, 5, pages)
		byPost := map[string]api.CoverageItem{}
		for _, it := range items {
			byPost[it.Jurisdiction.String()] = it
		}
		assert.Equal(t, township, items[0].Jurisdiction.String())
		assert.Equal(t, "山东省泰安市泰山区邱家店镇", items[0].JurisdictionName)
		assert.Equal(t, "child_supervisor", items[0].Role.String())
		assert.Equal(t, supervisor, items[0].WorkerID)
		assert.Equal(t, "王芳", items[0].WorkerName)
		assert.Equal(t, "qualified", items[0].Qualification.String())
		assert.False(t, items[0].Vacant)
		assert.Equal(t, qualified, byPost[village].WorkerID)
		assert.Equal(t, "qualified", byPost[village].Qualification.String())
		assert.Equal(t, untrained, byPost[township+"202"].WorkerID)
		assert.Equal(t, "untrained", byPost[township+"202"].Qualification.String())
		for _, vacant := range []string{township + "203", township + "244"} {
			assert.True(t, byPost[vacant].Vacant, vacant)
			assert.Empty(t, byPost[vacant].WorkerID, vacant)
			assert.Equal(t, "child_director", byPost[vacant].Role.String())
		}
		assert.Equal(t, "山东省泰安市泰山区邱家店镇东旧县村委会", byPost[township+"244"].JurisdictionName)

		var county api.List[api.CoverageItem]
		res := f.do("GET", "/v1/coverage?limit=500&"+wait, f.caseworker, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &county)
		assert.Len(t, county.Items, 8+214, "泰山区: 8 townships and 214 villages, by the caseworker's own jurisdiction")
		assert.Nil(t, county.NextCursor)
	})
}
