package tests

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checked asks the server how many events its log holds (GET /v1/integrity).
func checked(t *testing.T, a actor) int64 {
	t.Helper()
	var v integrity
	a.get("/v1/integrity", &v)
	require.True(t, v.OK, "the log verifies")
	return v.Checked
}

// caseVersion reads a case's version from its ETag.
func caseVersion(t *testing.T, a actor, caseID string) int64 {
	t.Helper()
	res := a.get("/v1/cases/"+caseID, nil)
	v, err := strconv.ParseInt(strings.Trim(res.header.Get("ETag"), `"`), 10, 64)
	require.NoError(t, err, "ETag %q", res.header.Get("ETag"))
	return v
}

// errorStatuses: each error status of API.md, on the story's closed case
// and on a second, open case of the same child; none of the refused
// requests changes anything.
func errorStatuses(t *testing.T, s *server, p people, closedCase, childID string) {
	t.Log("a second report about the same child, for the rules of an open case")
	second := p.director.command(http.MethodPost, "/v1/cases", map[string]any{
		"child_id": childID, "source": "hotline_12355", "reporter": map[string]any{"type": "neighbour"},
		"concerns": []string{"dropout"}, "risk": "low", "received_at": rfc(now()), "summary": "邻居来电：孩子近日未上学",
	}, http.StatusCreated)
	openCase := second.ID
	p.caseworker.post("/v1/cases/"+openCase+"/assignment", map[string]any{"worker_id": p.caseworkerID})
	ref := p.caseworker.command(http.MethodPost, "/v1/cases/"+openCase+"/referrals", map[string]any{
		"agency": "education", "service": "return_to_school", "note": "劝返复学",
	}, http.StatusCreated)
	require.NotEmpty(t, ref.ReferralID)

	events := checked(t, p.inspector)
	versions := map[string]int64{closedCase: caseVersion(t, p.caseworker, closedCase), openCase: caseVersion(t, p.caseworker, openCase)}
	followUp := func(note string) map[string]any {
		return map[string]any{"occurred_at": rfc(now()), "note": note}
	}
	post := func(a actor, path string, body any, header map[string]string) request {
		return request{method: http.MethodPost, path: path, token: a.token, body: body, header: header}
	}

	t.Log("400: malformed JSON, unknown field, missing or invalid value, each naming the field")
	s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/follow-ups", []byte(`{"occurred_at": "2026-01-01T00:00:00+08:00", "note": `), nil), http.StatusBadRequest)
	pr := s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/follow-ups",
		map[string]any{"occurred_at": rfc(now()), "note": "回访", "colour": "red"}, nil), http.StatusBadRequest)
	assert.True(t, strings.Contains(pr.Detail, "colour") || assert.ObjectsAreEqual([]string{"colour"}, pr.fields()), "the unknown field is named: %+v", pr)
	pr = s.refused(post(p.director, "/v1/cases", map[string]any{
		"child_id": childID, "source": "visit", "reporter": map[string]any{"type": "child_director"},
		"concerns": []string{"neglect"}, "received_at": rfc(now()), "summary": "缺少风险等级",
	}, nil), http.StatusBadRequest)
	assert.Contains(t, pr.fields(), "risk", "the missing field is named: %+v", pr)
	pr = s.refused(post(p.director, "/v1/cases", map[string]any{
		"child_id": childID, "source": "visit", "reporter": map[string]any{"type": "child_director"},
		"concerns": []string{"neglect"}, "risk": "extreme", "received_at": rfc(now()), "summary": "风险等级无效",
	}, nil), http.StatusBadRequest)
	assert.Contains(t, pr.fields(), "risk", "the invalid field is named: %+v", pr)
	pr = s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/follow-ups", map[string]any{"occurred_at": rfc(now())}, nil), http.StatusBadRequest)
	assert.Contains(t, pr.fields(), "note", "%+v", pr)

	t.Log("401: no token, a forged one, an expired one")
	get := func(a actor, path string) request { return request{method: http.MethodGet, path: path, token: a.token} }
	s.refused(request{method: http.MethodGet, path: "/v1/cases/" + openCase}, http.StatusUnauthorized)
	s.refused(request{method: http.MethodGet, path: "/v1/cases/" + openCase, token: "not-a-token"}, http.StatusUnauthorized)
	forged := []byte(p.inspector.token)
	forged[len(forged)-2] ^= 1
	s.refused(request{method: http.MethodGet, path: "/v1/cases/" + openCase, token: string(forged)}, http.StatusUnauthorized)
	expiring := s.token("inspector", county, "inspector-zhao", "--ttl", "1s")
	time.Sleep(1100 * time.Millisecond)
	s.refused(request{method: http.MethodGet, path: "/v1/cases/" + openCase, token: expiring}, http.StatusUnauthorized)

	t.Log("403: the role may not do this")
	s.refused(get(p.analyst, "/v1/cases/"+openCase), http.StatusForbidden)
	s.refused(post(p.partner, "/v1/cases", map[string]any{
		"child_id": childID, "source": "other", "reporter": map[string]any{"type": "other"},
		"concerns": []string{"dropout"}, "risk": "low", "received_at": rfc(now()), "summary": "合作单位不能立案",
	}, nil), http.StatusForbidden)
	s.refused(post(p.director, "/v1/cases/"+openCase+"/assignment", map[string]any{"worker_id": p.caseworkerID}, nil), http.StatusForbidden)
	s.refused(post(p.inspector, "/v1/cases/"+openCase+"/closure", map[string]any{"occurred_at": rfc(now()), "reason": "resolved"}, nil), http.StatusForbidden)
	s.refused(post(p.caseworker, "/v1/workers", map[string]any{"name": "无权登记", "role": "caseworker", "jurisdiction": county}, nil), http.StatusForbidden)

	t.Log("404: no such case, or one outside the caller's jurisdiction, alike")
	none := s.refused(get(p.caseworker, "/v1/cases/no-such-case"), http.StatusNotFound)
	far := s.refused(get(p.otherCaseworker, "/v1/cases/"+openCase), http.StatusNotFound)
	assert.Equal(t, none.Type, far.Type, "out of jurisdiction looks like absent")
	assert.Equal(t, none.Title, far.Title)
	s.refused(get(p.otherInspector, "/v1/children/"+childID), http.StatusNotFound)
	s.refused(get(p.otherInspector, "/v1/cases/"+closedCase+"/timeline"), http.StatusNotFound)
	s.refused(post(p.otherCaseworker, "/v1/cases/"+openCase+"/follow-ups", followUp("越界回访"), nil), http.StatusNotFound)

	t.Log("409: the action breaks a rule of the case")
	rule := s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/closure", map[string]any{"occurred_at": rfc(now()), "reason": "resolved"}, nil), http.StatusConflict)
	assert.Contains(t, rule.Detail, "referral", "closing with a pending referral: %+v", rule)
	s.refused(post(p.caseworker, "/v1/cases/"+closedCase+"/assessments", map[string]any{
		"occurred_at": rfc(now()), "risk": "low", "needs": []string{"schooling"},
	}, nil), http.StatusConflict)

	t.Log("412: If-Match names a version that is no longer current")
	stale := `"` + strconv.FormatInt(versions[openCase]-1, 10) + `"`
	s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/follow-ups", followUp("过期版本"), map[string]string{"If-Match": stale}), http.StatusPreconditionFailed)

	t.Log("413: a body over 1 MiB")
	huge := followUp(strings.Repeat("很长的记录", (1<<20)/15+1))
	s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/follow-ups", huge, nil), http.StatusRequestEntityTooLarge)
	raw := append([]byte(`{"note":"`), bytes.Repeat([]byte("a"), 1<<20)...)
	s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/follow-ups", append(raw, `"}`...), nil), http.StatusRequestEntityTooLarge)

	t.Log("422: occurred_at in the future")
	future := s.refused(post(p.caseworker, "/v1/cases/"+openCase+"/follow-ups", map[string]any{
		"occurred_at": rfc(time.Now().Add(time.Hour)), "note": "明天的回访",
	}, nil), http.StatusUnprocessableEntity)
	assert.Contains(t, strings.Join(future.fields(), ",")+future.Detail, "occurred_at")

	assert.Equal(t, events, checked(t, p.inspector), "no refused request appended anything")
	for id, v := range versions {
		assert.Equal(t, v, caseVersion(t, p.caseworker, id), "case %s unchanged", id)
	}

	t.Log("If-Match naming the current version applies")
	current := `"` + strconv.FormatInt(versions[openCase], 10) + `"`
	c := p.caseworker.command(http.MethodPost, "/v1/cases/"+openCase+"/follow-ups", followUp("当前版本"), http.StatusOK, map[string]string{"If-Match": current})
	assert.Equal(t, versions[openCase]+1, c.Version)

	t.Log("the referral is declined, and then the case may close")
	p.partner.post("/v1/cases/"+openCase+"/referrals/"+ref.ReferralID+"/decline", map[string]any{"reason": "已在读，无需复学"})
	p.caseworker.post("/v1/cases/"+openCase+"/closure", map[string]any{"occurred_at": rfc(now()), "reason": "unfounded"})
	var cv caseView
	p.caseworker.get("/v1/cases/"+openCase, &cv)
	assert.Equal(t, "closed", cv.Status)
	require.Len(t, cv.Referrals, 1)
	assert.Equal(t, "declined", cv.Referrals[0].Status)
}

// idempotentRetry: the same Idempotency-Key and body from the same subject
// answers the original answer and appends nothing; another body with the
// key is 422; another subject's key is its own.
func idempotentRetry(t *testing.T, s *server, p people, caseID string) {
	t.Log("an idempotent retry")
	body := map[string]any{"occurred_at": rfc(now()), "note": "电话回访：一切正常", "method": "phone"}
	key := map[string]string{"Idempotency-Key": "follow-up-" + caseID}
	first := p.director.command(http.MethodPost, "/v1/cases/"+caseID+"/follow-ups", body, http.StatusOK, key)
	events := checked(t, p.inspector)
	again := p.director.command(http.MethodPost, "/v1/cases/"+caseID+"/follow-ups", body, http.StatusOK, key)
	assert.Equal(t, first, again, "the retry answers the original answer")
	assert.Equal(t, events, checked(t, p.inspector), "and appends nothing")
	assert.Equal(t, first.Version, caseVersion(t, p.caseworker, caseID))

	other := map[string]any{"occurred_at": body["occurred_at"], "note": "另一份记录", "method": "phone"}
	pr := s.refused(request{method: http.MethodPost, path: "/v1/cases/" + caseID + "/follow-ups", token: p.director.token, body: other, header: key},
		http.StatusUnprocessableEntity)
	assert.NotEmpty(t, pr.Detail)
	assert.Equal(t, events, checked(t, p.inspector), "a reused key appends nothing")

	// The same key from another subject is that subject's own.
	theirs := p.caseworker.command(http.MethodPost, "/v1/cases/"+caseID+"/follow-ups", body, http.StatusOK, key)
	assert.Equal(t, first.Version+1, theirs.Version)
	assert.Equal(t, events+1, checked(t, p.inspector))
}

// restartLosesNothing: SIGTERM, start again on the same store: the case,
// the child's file and the log are as they were, and the log goes on.
func restartLosesNothing(t *testing.T, s *server, p people, caseID, childID string) {
	t.Log("a restart")
	var before, after caseView
	p.caseworker.get("/v1/cases/"+caseID, &before)
	var fileBefore, fileAfter childFile
	p.director.get("/v1/children/"+childID, &fileBefore)
	var tlBefore, tlAfter timeline
	p.inspector.get("/v1/cases/"+caseID+"/timeline", &tlBefore)
	var v1, v2 integrity
	p.inspector.get("/v1/integrity", &v1)

	s.restart()

	p.caseworker.get("/v1/cases/"+caseID, &after)
	assert.Equal(t, before, after, "the case is as it was")
	p.director.get("/v1/children/"+childID, &fileAfter)
	assert.Equal(t, fileBefore, fileAfter, "the child's file is as it was")
	p.inspector.get("/v1/cases/"+caseID+"/timeline", &tlAfter)
	assert.Equal(t, tlBefore.Items, tlAfter.Items, "the timeline is as it was")
	p.inspector.get("/v1/integrity", &v2)
	assert.Equal(t, v1, v2, "the same log, intact")
	assert.True(t, v2.OK)

	c := p.director.post("/v1/cases/"+caseID+"/follow-ups", map[string]any{"occurred_at": rfc(now()), "note": "重启后回访"})
	assert.Equal(t, before.Version+1, c.Version)
	assert.Equal(t, v2.Checked+1, c.last(), "the log goes on where it stopped")
}
