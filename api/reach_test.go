package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// otherVillage is a village of otherCounty (岱岳区祝阳镇祝阳村委会).
const otherVillage = otherCounty + "101201"

// problemIn decodes a problem answer (any status).
func problemIn(t *testing.T, res apitest.Response) api.Problem {
	t.Helper()
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), "%d %s", res.Status, res.Body)
	var p api.Problem
	res.JSON(t, &p)
	return p
}

// probeHeaders are the headers a client may add to a command to learn
// something of a stream: none, an If-Match of versions it guesses, an
// idempotency key.
var probeHeaders = map[string][]string{
	"no header":       nil,
	"If-Match 0":      {"If-Match", `"0"`},
	"If-Match 1":      {"If-Match", `"1"`},
	"If-Match 2":      {"If-Match", `"2"`},
	"Idempotency-Key": {"Idempotency-Key", "probe-1"},
}

// TestChosenChildIDAnswersAlikeWhereverTaken: a child id the client chooses
// (POST /v1/children, and a report's new child, POST /v1/cases) is looked
// up only once the body has been decided. A place outside the caller's
// jurisdiction is 403 whether the id is free, in use in the caller's
// county or in use in another; an id in use is 409 with the same problem
// wherever the file that has it lies — whatever If-Match or
// Idempotency-Key the request carries. Nothing is appended.
func TestChosenChildIDAnswersAlikeWhereverTaken(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		here, there, free := uuid.NewString(), uuid.NewString(), uuid.NewString()
		answer(t, f.do("POST", "/v1/children", f.caseworker, with(childBody(), "id", here)), http.StatusCreated)
		elsewhere := env.Token("caseworker", otherCounty, "cw-other", "")
		answer(t, f.do("POST", "/v1/children", elsewhere, with(with(childBody(), "id", there), "jurisdiction", otherVillage)), http.StatusCreated)
		_, director := f.trainedWorker("child_director", village)

		child := func(id, place string) map[string]any { return with(with(childBody(), "id", id), "jurisdiction", place) }
		routes := map[string]func(id, place string) map[string]any{
			"/v1/children": child,
			"/v1/cases":    func(id, place string) map[string]any { return with(reportBody(), "child", child(id, place)) },
		}
		for path, body := range routes {
			for name, headers := range probeHeaders {
				ask := func(id, place string) api.Problem {
					return problemIn(t, f.do("POST", path, director, body(id, place), headers...))
				}
				takenHere := ask(here, village)
				assert.Equal(t, http.StatusConflict, takenHere.Status, "%s, %s: an id in use in the county: %+v", path, name, takenHere)
				assert.Equal(t, takenHere, ask(there, village), "%s, %s: an id in use in another county answers as one in use in the county", path, name)
				assert.NotContains(t, takenHere.Detail, otherCounty, "%s, %s", path, name)

				outside := ask(free, otherVillage)
				assert.Equal(t, http.StatusForbidden, outside.Status, "%s, %s: a place outside the caller's jurisdiction: %+v", path, name, outside)
				assert.Equal(t, outside, ask(there, otherVillage), "%s, %s: whether or not the id is in use there", path, name)
				assert.Equal(t, outside, ask(here, otherVillage), "%s, %s: or in use in the county", path, name)
			}
		}
		assert.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(here)))
		assert.Equal(t, []string{"child.registered"}, streamTypes(t, env, domain.ChildStream(there)))
		assert.Empty(t, streamTypes(t, env, domain.ChildStream(free)))
	})
}

// TestPathIDOutsideJurisdictionAnswersAsNone: a command on a stream named
// in the path (a case, a child, a worker, an inquiry, a webhook) by an
// allowed role of another county answers exactly as for an id that does
// not exist — 404, the same problem — whatever If-Match it sends: the
// version a stream is at is not compared before the caller is known to
// see it, so a 412 cannot tell that the stream exists, nor at which
// version. The body's place is checked before the stream is looked up.
func TestPathIDOutsideJurisdictionAnswersAsNone(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		caseID := f.openCase()
		childID := f.registerChild()
		workerID := f.registerWorker("child_director", village)
		inspector := env.Token("inspector", county, "insp-1", "")
		inquiryID := answer(t, f.do("POST", "/v1/inquiries", inspector, map[string]any{"case_id": caseID, "incident_at": at(-time.Hour), "reason": "倒查"}), http.StatusCreated).ID
		hook := answer(t, f.do("POST", "/v1/webhooks", f.admin, map[string]any{"url": "https://platform.example/hooks", "jurisdiction": county,
			"kinds": []string{"obligation.opened"}}), http.StatusCreated).ID

		caseworker := env.Token("caseworker", otherCounty, "cw-other", "")
		admin := env.Token("admin", otherCounty, "admin-other", "")
		otherInspector := env.Token("inspector", otherCounty, "insp-other", "")
		occurred := at(-time.Hour)
		probes := []struct {
			path, id, token string
			body            map[string]any
		}{
			{"/v1/cases/%s/follow-ups", caseID, caseworker, map[string]any{"occurred_at": occurred, "note": "电话回访"}},
			{"/v1/cases/%s/transfer", caseID, caseworker, map[string]any{"occurred_at": occurred, "jurisdiction": otherVillage, "reason": "随母迁居"}},
			{"/v1/cases/%s/corrections", caseID, caseworker, map[string]any{"corrects_position": 1, "fields": map[string]any{"summary": "更正"}, "reason": "录入错误"}},
			{"/v1/children/%s/visits", childID, caseworker, map[string]any{"occurred_at": occurred, "findings": "在家", "concerns": []string{}}},
			{"/v1/children/%s/profile", childID, caseworker, map[string]any{"schooling": "初中一年级"}},
			{"/v1/children/%s/corrections", childID, caseworker, map[string]any{"corrects_position": 1, "fields": map[string]any{"schooling": "小学"}, "reason": "录入错误"}},
			{"/v1/workers/%s/training", workerID, admin, map[string]any{"passed": true, "completed_on": time.Now().In(chinaTime).AddDate(0, 0, -1).Format(time.DateOnly)}},
			{"/v1/workers/%s/deactivation", workerID, admin, map[string]any{"occurred_at": at(time.Second), "reason": "调任"}},
			{"/v1/workers/%s/transfer", workerID, admin, map[string]any{"occurred_at": at(time.Second), "jurisdiction": otherVillage}},
			{"/v1/inquiries/%s/findings", inquiryID, otherInspector, map[string]any{"occurred_at": at(time.Minute), "findings": "未发现失职",
				"responsibilities": []any{}, "rectifications": []any{}}},
			{"/v1/inquiries/%s/closure", inquiryID, otherInspector, map[string]any{"occurred_at": at(time.Minute), "conclusion": "结案"}},
			{"/v1/webhooks/%s/removal", hook, admin, nil},
		}
		for _, p := range probes {
			none := uuid.NewString()
			for name, headers := range probeHeaders {
				existing := problemIn(t, f.do("POST", fmt.Sprintf(p.path, p.id), p.token, p.body, headers...))
				missing := problemIn(t, f.do("POST", fmt.Sprintf(p.path, none), p.token, p.body, headers...))
				assert.Equal(t, http.StatusNotFound, existing.Status, "%s, %s: %+v", p.path, name, existing)
				existing.Detail = strings.ReplaceAll(existing.Detail, p.id, "ID")
				missing.Detail = strings.ReplaceAll(missing.Detail, none, "ID")
				assert.Equal(t, missing, existing, "%s, %s: a stream outside the caller's jurisdiction answers as one that does not exist", p.path, name)
			}
		}

		// The new place a body names is checked before the stream: a place
		// outside the caller's reach is 403 whatever the id.
		townshipAdmin := env.Token("admin", village[:9], "admin-township", "")
		for _, id := range []string{workerID, uuid.NewString()} {
			res := f.do("POST", "/v1/workers/"+id+"/transfer", townshipAdmin, map[string]any{"occurred_at": at(time.Second), "jurisdiction": otherVillage})
			assert.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
		}
		for _, id := range []string{childID, uuid.NewString()} {
			res := f.do("POST", "/v1/children/"+id+"/profile", f.caseworker, map[string]any{"jurisdiction": otherVillage})
			assert.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
		}
	})
}
