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

func timelineTypes(tl api.Timeline) []string {
	out := make([]string, len(tl.Items))
	for i, it := range tl.Items {
		out[i] = it.Type
	}
	return out
}

func TestCaseTimelineAsOf(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		w.write("POST", "/v1/cases/"+w.caseID+"/follow-ups", w.caseworker, map[string]any{
			"occurred_at": time.Now().Add(-30 * time.Minute).Format(time.RFC3339), "note": "电话联系"})
		asOf := time.Now()
		time.Sleep(20 * time.Millisecond)
		// Entered now, but it happened before the follow-up: a late entry.
		w.write("POST", "/v1/cases/"+w.caseID+"/police-report", w.caseworker, map[string]any{
			"occurred_at": time.Now().Add(-90 * time.Minute).Format(time.RFC3339), "police_unit": "城关派出所"})

		var now api.Timeline
		w.getJSON("/v1/cases/"+w.caseID+"/timeline", w.caseworker, &now)
		assert.Equal(t, []string{"case.report_received", "case.report_forwarded_to_police", "case.follow_up_recorded"}, timelineTypes(now),
			"in business-time order, whatever order they were entered in")
		for _, it := range now.Items {
			assert.NotEmpty(t, it.Summary)
			assert.NotZero(t, it.GlobalPosition)
			assert.Equal(t, w.caseworkerID, it.Actor.Subject)
		}

		var then api.Timeline
		w.getJSON("/v1/cases/"+w.caseID+"/timeline?as_of="+url.QueryEscape(asOf.Format(time.RFC3339Nano)), w.inspector, &then)
		assert.Equal(t, []string{"case.report_received", "case.follow_up_recorded"}, timelineTypes(then),
			"as of the moment before it was entered, the police report is not on the record")
		assert.True(t, then.AsOf.Equal(asOf), "as_of is echoed")

		var raw map[string]any
		w.getJSON("/v1/cases/"+w.caseID+"/timeline", w.caseworker, &raw)
		assert.Contains(t, raw, "as_of")
		item := raw["items"].([]any)[0].(map[string]any)
		for _, field := range []string{"type", "occurred_at", "recorded_at", "actor", "global_position", "summary"} {
			assert.Contains(t, item, field)
		}

		bad := w.get("/v1/cases/"+w.caseID+"/timeline?as_of=yesterday", w.caseworker)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		var p api.Problem
		bad.JSON(t, &p)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, "as_of", p.Errors[0].Field)
	})
}

func TestChildTimeline(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		asOf := time.Now()
		time.Sleep(20 * time.Millisecond)
		w.write("POST", "/v1/children/"+w.childID+"/visits", w.caseworker, map[string]any{
			"occurred_at": time.Now().Format(time.RFC3339Nano), "findings": "孩子在家", "concerns": []string{}})

		var tl api.Timeline
		w.getJSON("/v1/children/"+w.childID+"/timeline", w.caseworker, &tl)
		assert.Equal(t, []string{"case.report_received", "child.registered", "child.visit_recorded"}, timelineTypes(tl),
			"the file's own entries and its cases' entries, in business-time order")
		assert.Equal(t, w.caseID, tl.Items[0].CaseID)
		assert.Empty(t, tl.Items[1].CaseID)

		var then api.Timeline
		w.getJSON("/v1/children/"+w.childID+"/timeline?as_of="+url.QueryEscape(asOf.Format(time.RFC3339Nano)), w.inspector, &then)
		assert.Equal(t, []string{"case.report_received", "child.registered"}, timelineTypes(then))

		assert.Equal(t, http.StatusNotFound, w.get("/v1/children/no-such-child/timeline", w.caseworker).Status)
	})
}
