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

// TestInbox: each worker sees its own work, due first. A director who
// found a child living alone owes the report (due soon) and the village's
// visits; once missed, the report goes to the township's supervisor at
// once and to the inspectors after 24 h (escalated); the police see the
// acknowledgment a forwarded report asks of them, and no other agency or
// county does.
func TestInbox(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		directorID, director := f.workerTrainedDaysAgo("child_director", village, 5)
		_, supervisor := f.trainedWorker("child_supervisor", village[:9])
		inspector := env.Token("inspector", county, "insp-1", "")
		child := f.registerChild()
		visit := func(ago time.Duration) int64 {
			t.Helper()
			ans := answer(t, f.do("POST", "/v1/children/"+child+"/visits", director, map[string]any{
				"occurred_at": at(-ago), "findings": "孩子独自在家", "concerns": []string{"living_alone"},
			}), http.StatusOK)
			return ans.Events[0].GlobalPosition
		}
		visit(72 * time.Hour)
		visit(90 * time.Minute)
		last := visit(10 * time.Minute)

		inbox := func(token string, pos int64) []api.InboxItem {
			t.Helper()
			var page api.List[api.InboxItem]
			res := f.do("GET", "/v1/inbox?limit=500&min_position="+itoa(int(pos)), token, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &page)
			for i := 1; i < len(page.Items); i++ {
				assert.False(t, page.Items[i].DueAt.Before(page.Items[i-1].DueAt), "due first")
			}
			return page.Items
		}
		reports := func(items []api.InboxItem) (out []api.InboxItem) {
			for _, it := range items {
				if it.Kind == "report_after_visit" && it.SubjectID == child {
					out = append(out, it)
				}
			}
			return out
		}
		mine := inbox(director, last)
		own := reports(mine)
		require.Len(t, own, 1, "only the open one is the director's to do: %+v", mine)
		assert.True(t, own[0].DueSoon)
		assert.False(t, own[0].Escalated)
		assert.Equal(t, directorID, own[0].Owner)
		assert.Equal(t, "王芳", own[0].OwnerName)
		assert.Contains(t, kinds(mine), "visit", "the village's visits are hers too")

		up := reports(inbox(supervisor, last))
		require.Len(t, up, 2, "both missed reports reach the township's supervisor")
		for _, it := range up {
			assert.True(t, it.Escalated)
			assert.Equal(t, "missed", it.Status)
			assert.Equal(t, directorID, it.Owner, "who missed it")
		}
		top := reports(inbox(inspector, last))
		require.Len(t, top, 1, "only the one missed more than 24 h ago reaches the inspectors")
		assert.True(t, top[0].Escalated)

		caseID := f.openCase()
		fwd := answer(t, f.do("POST", "/v1/cases/"+caseID+"/police-report", f.caseworker, map[string]any{
			"occurred_at": at(-time.Minute), "police_unit": "邱家店派出所",
		}), http.StatusOK)
		pos := fwd.Events[0].GlobalPosition
		police := inbox(env.Token("partner", county, "police-1", "police"), pos)
		assert.Contains(t, kinds(police), "police_acknowledgment")
		assert.NotContains(t, kinds(inbox(env.Token("partner", county, "edu-1", "education"), pos)), "police_acknowledgment")
		assert.NotContains(t, kinds(inbox(env.Token("partner", otherCounty, "police-2", "police"), pos)), "police_acknowledgment")
		assert.Contains(t, kinds(inbox(f.caseworker, pos)), "first_response", "the center's caseworkers own the unassigned case's response")

		problemField(t, f.do("GET", "/v1/inbox", env.Token("analyst", county, "an-1", ""), nil), http.StatusForbidden)
		assert.Equal(t, "limit", problemField(t, f.do("GET", "/v1/inbox?limit=0", director, nil), http.StatusBadRequest))
	})
}

func kinds(items []api.InboxItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Kind
	}
	return out
}
