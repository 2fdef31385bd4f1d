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

func TestReadCase(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		var c api.CaseView
		res := w.getJSON("/v1/cases/"+w.caseID, w.caseworker, &c)
		assert.Equal(t, `"1"`, res.Header.Get("ETag"))
		assert.Equal(t, w.caseID, c.ID)
		assert.Equal(t, w.childID, c.ChildID)
		assert.Equal(t, "open", c.Status)
		assert.Equal(t, "hotline_12355", c.Source)
		assert.Equal(t, []string{"living_alone", "neglect"}, c.Concerns)
		assert.Equal(t, "high", c.Risk)
		assert.Nil(t, c.Assignee)
		assert.Empty(t, c.Referrals)
		assert.Nil(t, c.TemporaryGuardianship)
		kinds := map[string]string{}
		for _, d := range c.Deadlines {
			kinds[d.Kind] = d.Status
			assert.Equal(t, w.caseID, d.CaseID)
		}
		assert.Contains(t, kinds, "police_report", "a living_alone report must go to the police")
		assert.Contains(t, kinds, "assignment")
		assert.Equal(t, int64(1), c.Version)

		w.write("POST", "/v1/cases/"+w.caseID+"/assignment", w.caseworker, map[string]any{"worker_id": w.caseworkerID})
		ref := w.write("POST", "/v1/cases/"+w.caseID+"/referrals", w.caseworker, map[string]any{
			"agency": "education", "service": "return_to_school", "note": "协助复学"})
		w.write("POST", "/v1/cases/"+w.caseID+"/temporary-guardianship", w.caseworker, map[string]any{
			"occurred_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "ground": "guardian_missing", "placement": "center"})
		res = w.getJSON("/v1/cases/"+w.caseID, w.inspector, &c)
		assert.Equal(t, `"4"`, res.Header.Get("ETag"))
		assert.Equal(t, int64(4), c.Version)
		require.NotNil(t, c.Assignee)
		assert.Equal(t, w.caseworkerID, *c.Assignee)
		require.Len(t, c.Referrals, 1)
		assert.Equal(t, ref.ReferralID, c.Referrals[0].ID)
		assert.Equal(t, "pending", c.Referrals[0].Status)
		require.NotNil(t, c.TemporaryGuardianship)
		assert.True(t, c.TemporaryGuardianship.Active)
		assert.Equal(t, "center", c.TemporaryGuardianship.Placement)

		var raw map[string]any
		w.getJSON("/v1/cases/"+w.caseID, w.caseworker, &raw)
		for _, field := range []string{"id", "child_id", "status", "source", "concerns", "risk", "received_at", "assignee",
			"referrals", "temporary_guardianship", "deadlines", "version"} {
			assert.Contains(t, raw, field, "API.md names the field %s", field)
		}

		assert.Equal(t, http.StatusNotFound, w.get("/v1/cases/no-such-case", w.caseworker).Status)
	})
}

func TestReadCaseEvents(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		w.write("POST", "/v1/cases/"+w.caseID+"/assignment", w.caseworker, map[string]any{"worker_id": w.caseworkerID})
		w.write("POST", "/v1/cases/"+w.caseID+"/follow-ups", w.caseworker, map[string]any{
			"occurred_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "note": "电话联系"})

		var all api.List[api.EventView]
		w.getJSON("/v1/cases/"+w.caseID+"/events", w.inspector, &all)
		require.Len(t, all.Items, 3)
		assert.Nil(t, all.NextCursor)
		assert.Equal(t, []string{"case.report_received", "case.assigned", "case.follow_up_recorded"},
			[]string{all.Items[0].Type, all.Items[1].Type, all.Items[2].Type})
		for i, e := range all.Items {
			assert.Equal(t, int64(i+1), e.StreamVersion)
			assert.NotZero(t, e.GlobalPosition)
			assert.Equal(t, "caseworker", e.Actor.Role)
			assert.Equal(t, w.caseworkerID, e.Actor.Subject)
			assert.NotEmpty(t, e.Data)
			assert.False(t, e.RecordedAt.IsZero())
			if i > 0 && e.GlobalPosition == all.Items[i-1].GlobalPosition+1 {
				assert.Equal(t, all.Items[i-1].Hash, e.PrevHash, "each event chains to the one before it in the log")
			}
		}

		var raw map[string]any
		w.getJSON("/v1/cases/"+w.caseID+"/events", w.caseworker, &raw)
		first := raw["items"].([]any)[0].(map[string]any)
		for _, field := range []string{"event_id", "type", "stream_version", "global_position", "occurred_at", "recorded_at",
			"actor", "prev_hash", "hash", "data"} {
			assert.Contains(t, first, field)
		}

		versions := walk(w, "/v1/cases/"+w.caseID+"/events", w.caseworker, 2, func(e api.EventView) string { return e.EventID.String() })
		assert.Equal(t, []string{all.Items[0].EventID.String(), all.Items[1].EventID.String(), all.Items[2].EventID.String()}, versions,
			"pages of two walk every event once")

		partner := env.Token("partner", homeCounty, "edu-1", "education")
		assert.Equal(t, http.StatusForbidden, w.get("/v1/cases/"+w.caseID+"/events", partner).Status)
		assert.Equal(t, http.StatusNotFound, w.get("/v1/cases/no-such-case/events", w.inspector).Status)
	})
}
