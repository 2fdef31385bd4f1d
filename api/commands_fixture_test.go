package api_test

import (
	"context"
	"maps"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// The places the command tests act in: a village of county 370902, and a
// neighbouring county that does not cover it.
const (
	village     = "370902101201"
	county      = "370902"
	otherCounty = "370911"
)

// chinaTime is the offset clients send times with.
var chinaTime = time.FixedZone("CST", 8*60*60)

// at is a business time relative to now, as a client spells it.
func at(d time.Duration) string { return time.Now().Add(d).In(chinaTime).Format(time.RFC3339) }

// fixture is a running API with an admin and a caseworker of the county.
type fixture struct {
	t          *testing.T
	env        *apitest.Env
	admin      string
	caseworker string
}

func newFixture(t *testing.T, env *apitest.Env) *fixture {
	return &fixture{t: t, env: env,
		admin:      env.Token("admin", "all", "admin-1", ""),
		caseworker: env.Token("caseworker", county, "cw-1", ""),
	}
}

// do sends a request and returns the answer.
func (f *fixture) do(method, path, token string, body any, headers ...string) apitest.Response {
	f.t.Helper()
	return f.env.Do(method, path, token, body, headers...)
}

// registerWorker registers a worker and returns its id.
func (f *fixture) registerWorker(role, jurisdiction string) string {
	f.t.Helper()
	res := f.do("POST", "/v1/workers", f.admin, map[string]any{"name": "王芳", "role": role, "jurisdiction": jurisdiction})
	return answer(f.t, res, http.StatusCreated).ID
}

// trainedWorker registers a worker, records a passed training (yesterday)
// and returns the worker's id and token.
func (f *fixture) trainedWorker(role, jurisdiction string) (string, string) {
	f.t.Helper()
	return f.workerTrainedDaysAgo(role, jurisdiction, 1)
}

// workerTrainedDaysAgo registers a worker whose passed training was days
// ago (so that it may act on business times since), and returns the
// worker's id and token.
func (f *fixture) workerTrainedDaysAgo(role, jurisdiction string, days int) (string, string) {
	f.t.Helper()
	id := f.registerWorker(role, jurisdiction)
	res := f.do("POST", "/v1/workers/"+id+"/training", f.admin, map[string]any{
		"passed": true, "completed_on": time.Now().In(chinaTime).AddDate(0, 0, -days).Format(time.DateOnly),
	})
	answer(f.t, res, http.StatusOK)
	return id, f.env.Token(role, jurisdiction, id, "")
}

// childBody is a complete new child's file in the village.
func childBody() map[string]any {
	return map[string]any{
		"name": "张小明", "birth_date": "2015-03-02", "sex": "male", "jurisdiction": village,
		"categories": []string{"left_behind"}, "key_child_flags": []string{},
		"guardian":         map[string]any{"name": "张德福", "relation": "祖父", "phone": "13800000000"},
		"living_situation": "与祖父同住", "schooling": "小学三年级", "hukou_registered": true,
	}
}

// registerChild registers a child as the caseworker and returns its id.
func (f *fixture) registerChild() string {
	f.t.Helper()
	return answer(f.t, f.do("POST", "/v1/children", f.caseworker, childBody()), http.StatusCreated).ID
}

// reportBody is a complete report about a new child.
func reportBody() map[string]any {
	return map[string]any{
		"child": childBody(), "source": "hotline_12355",
		"reporter": map[string]any{"type": "neighbour", "name": "李婶"},
		"concerns": []string{"living_alone"}, "risk": "high", "received_at": at(-2 * time.Hour),
		"summary": "邻居来电：孩子独自在家三天",
	}
}

// openCase opens a case on a report about a new child, as the caseworker,
// and returns the case's id.
func (f *fixture) openCase() string {
	f.t.Helper()
	return answer(f.t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated).ID
}

// answer checks that res is a command answer with the status, whose ETag
// is its version, and decodes it.
func answer(t *testing.T, res apitest.Response, status int) api.Answer {
	t.Helper()
	require.Equal(t, status, res.Status, string(res.Body))
	var ans api.Answer
	res.JSON(t, &ans)
	require.NotEmpty(t, ans.ID)
	assert.Equal(t, `"`+strconv.FormatInt(ans.Version, 10)+`"`, res.Header.Get("ETag"))
	return ans
}

// eventTypes are the types of an answer's events.
func eventTypes(ans api.Answer) []string {
	types := make([]string, len(ans.Events))
	for i, e := range ans.Events {
		types[i] = e.Type
	}
	return types
}

// problemField checks that res is a problem with the status and returns the
// field it names ("" for none).
func problemField(t *testing.T, res apitest.Response, status int) string {
	t.Helper()
	require.Equal(t, status, res.Status, string(res.Body))
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	var p api.Problem
	res.JSON(t, &p)
	if len(p.Errors) == 0 {
		return ""
	}
	return p.Errors[0].Field
}

// without is body with one field left out.
func without(body map[string]any, field string) map[string]any {
	out := maps.Clone(body)
	delete(out, field)
	return out
}

// with is body with one field set.
func with(body map[string]any, field string, v any) map[string]any {
	out := maps.Clone(body)
	out[field] = v
	return out
}

// streamTypes are the types of the events stored in a stream.
func streamTypes(t *testing.T, env *apitest.Env, stream domain.StreamID) []string {
	t.Helper()
	events, err := env.Store.ReadStream(context.Background(), stream.String(), 0, 0)
	require.NoError(t, err)
	types := make([]string, len(events))
	for i, e := range events {
		types[i] = e.Type
	}
	return types
}

// tokenOf gives a token of the role in the county; a director or a
// supervisor is registered and trained first, a partner is of education.
func (f *fixture) tokenOf(role string) string {
	f.t.Helper()
	switch role {
	case "child_director":
		_, tok := f.trainedWorker(role, village)
		return tok
	case "child_supervisor":
		_, tok := f.trainedWorker(role, village[:9])
		return tok
	case "partner":
		return f.env.Token(role, county, "edu-1", "education")
	}
	return f.env.Token(role, county, role+"-1", "")
}

// makeReferral refers the case to education and returns the referral's id.
func (f *fixture) makeReferral(caseID string) string {
	f.t.Helper()
	res := f.do("POST", "/v1/cases/"+caseID+"/referrals", f.caseworker, map[string]any{
		"agency": "education", "service": "return_to_school", "note": "协助返校",
	})
	ans := answer(f.t, res, http.StatusCreated)
	require.NotEmpty(f.t, ans.ReferralID)
	return ans.ReferralID
}

func itoa(n int) string { return strconv.Itoa(n) }
