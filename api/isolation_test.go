package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// probe is one route of the isolation matrix: request makes, in the
// fixture's county, what the route acts on (fresh for every call, so that
// each role meets the same state) and gives the request and the status it
// succeeds with. outside is the status for an allowed role of another
// county: 404 where a resource exists that it must not learn of; 403 where
// it would create something, or put something, outside its jurisdiction
// (the body's place is checked before any id is looked up); the success
// status where the route reads nothing of a jurisdiction.
type probe struct {
	route   string
	request func(f *fixture) (path string, body any, ok int)
	// owned, when set, stands in for request on a route whose resource
	// names who may act on it: it is given the role and subject of the
	// caller ("" for the request refusals share) and makes what that
	// subject owns.
	owned   func(f *fixture, role, subject string) (path string, body any, ok int)
	outside int
}

// prepare makes the probe's request for a caller of the role and subject.
func (p probe) prepare(f *fixture, role, subject string) (string, any, int) {
	if p.owned != nil {
		return p.owned(f, role, subject)
	}
	return p.request(f)
}

// apiRoles are the roles API.md gives each route (the trace routes are
// careledger's own, for inspectors): the matrix judges the server by these,
// not by what the server says of itself.
var apiRoles = map[string]string{
	"POST /v1/workers":                               "admin",
	"POST /v1/workers/{id}/training":                 "admin child_supervisor",
	"POST /v1/workers/{id}/deactivation":             "admin",
	"POST /v1/workers/{id}/transfer":                 "admin",
	"POST /v1/children":                              "child_director child_supervisor caseworker",
	"POST /v1/children/{id}/profile":                 "child_director child_supervisor caseworker",
	"POST /v1/children/{id}/visits":                  "child_director child_supervisor caseworker",
	"POST /v1/children/{id}/entrusted-guardianship":  "child_director child_supervisor",
	"POST /v1/children/{id}/erasure":                 "admin",
	"POST /v1/cases":                                 "child_director child_supervisor caseworker partner",
	"POST /v1/cases/{id}/police-report":              "child_director child_supervisor caseworker",
	"POST /v1/cases/{id}/emergency-response":         "child_director child_supervisor caseworker",
	"POST /v1/cases/{id}/assignment":                 "caseworker",
	"POST /v1/cases/{id}/assessments":                "caseworker",
	"POST /v1/cases/{id}/conferences":                "caseworker",
	"POST /v1/cases/{id}/referrals":                  "caseworker",
	"POST /v1/cases/{id}/referrals/{rid}/acceptance": "partner caseworker",
	"POST /v1/cases/{id}/referrals/{rid}/decline":    "partner caseworker",
	"POST /v1/cases/{id}/referrals/{rid}/completion": "partner caseworker",
	"POST /v1/cases/{id}/temporary-guardianship":     "caseworker",
	"POST /v1/cases/{id}/temporary-guardianship/end": "caseworker",
	"POST /v1/cases/{id}/guardianship-intervention":  "caseworker",
	"POST /v1/cases/{id}/follow-ups":                 "child_director child_supervisor caseworker",
	"POST /v1/cases/{id}/major-incident":             "caseworker inspector",
	"POST /v1/cases/{id}/closure":                    "caseworker",
	"POST /v1/cases/{id}/reopening":                  "caseworker",
	"POST /v1/cases/{id}/transfer":                   "caseworker",
	"POST /v1/cases/{id}/corrections":                "child_director child_supervisor caseworker",
	"POST /v1/children/{id}/corrections":             "child_director child_supervisor caseworker",
	"POST /v1/inquiries":                             "inspector",
	"PUT /v1/policy":                                 "admin",
	"GET /v1/cases/{id}":                             "child_director child_supervisor caseworker inspector",
	"GET /v1/cases/{id}/events":                      "inspector caseworker",
	"GET /v1/cases/{id}/timeline":                    "child_director child_supervisor caseworker inspector",
	"GET /v1/workers":                                "admin caseworker child_supervisor inspector",
	"GET /v1/coverage":                               "admin caseworker child_supervisor inspector",
	"GET /v1/children":                               "child_director child_supervisor caseworker inspector",
	"GET /v1/children/{id}":                          "child_director child_supervisor caseworker inspector",
	"GET /v1/children/{id}/timeline":                 "child_director child_supervisor caseworker inspector",
	"GET /v1/caseload":                               "caseworker child_supervisor inspector",
	"GET /v1/deadlines":                              "child_director child_supervisor caseworker inspector",
	"GET /v1/inbox":                                  "child_director child_supervisor caseworker partner inspector admin",
	"GET /v1/notifications":                          "child_director child_supervisor caseworker partner inspector admin",
	"GET /v1/inquiries/{id}/report":                  "inspector",
	"GET /v1/inquiries":                              "inspector",
	"GET /v1/access-log":                             "inspector",
	"GET /v1/stats/cases":                            "analyst inspector",
	"GET /v1/integrity":                              "inspector admin",
	"GET /v1/cases/{id}/trace":                       "inspector",
	"GET /v1/children/{id}/trace":                    "inspector",

	// Accountability (API.md "Accountability, work queues and safeguards").
	"POST /v1/cases/{id}/police-report/acknowledgment":        "partner",
	"POST /v1/inquiries/{id}/findings":                        "inspector",
	"POST /v1/inquiries/{id}/rectifications/{rid}/completion": "child_director child_supervisor caseworker partner inspector",
	"POST /v1/inquiries/{id}/closure":                         "inspector",
	"GET /v1/referrals":                                       "partner caseworker",
	"GET /v1/referrals/{id}":                                  "partner caseworker",
	"POST /v1/webhooks":                                       "admin",
	"POST /v1/webhooks/{id}/removal":                          "admin",
	"GET /v1/webhooks/{id}/deliveries":                        "admin",
}

var everyRoleName = []string{"child_director", "child_supervisor", "caseworker", "partner", "inspector", "analyst", "admin"}

// TestIsolationMatrix: every route of the API, every role, in and out of
// the jurisdiction, with the exact status: a role the route does not allow
// is 403; an allowed role of another county is 404 (never learning that
// the resource exists), or 403 when it would create or put something
// outside its jurisdiction; an allowed role of the county succeeds.
func TestIsolationMatrix(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		m := newMatrix(f)
		probes := m.probes()

		covered := map[string]bool{}
		for _, p := range probes {
			covered[p.route] = true
		}
		for _, r := range env.Server.Routes() {
			if len(r.Roles()) == 0 {
				continue
			}
			route := r.Method + " " + r.Pattern
			assert.True(t, covered[route], "route %s is not in the matrix", route)
			var declared []string
			for _, role := range r.Roles() {
				declared = append(declared, role.String())
			}
			assert.ElementsMatch(t, strings.Fields(apiRoles[route]), declared, "roles of %s", route)
		}

		for _, p := range probes {
			roles, ok := apiRoles[p.route]
			require.True(t, ok, "the matrix probes %s, which API.md does not list", p.route)
			// A refused request changes nothing, so refusals share one
			// prepared request; each success gets its own.
			sharedPath, sharedBody, _ := p.prepare(f, "", "")
			for _, role := range everyRoleName {
				isAllowed := false
				for _, r := range strings.Fields(roles) {
					isAllowed = isAllowed || r == role
				}
				for _, inside := range []bool{true, false} {
					path, body, want := sharedPath, sharedBody, http.StatusForbidden
					switch {
					case isAllowed && inside:
						path, body, want = p.prepare(f, role, m.subjects[role])
					case isAllowed:
						want = p.outside
					}
					method, _, _ := strings.Cut(p.route, " ")
					res := f.do(method, path, m.token(p.route, role, inside), body)
					where := "in"
					if !inside {
						where = "out"
					}
					assert.Equal(t, want, res.Status, "%s as %s %s of jurisdiction: %s", p.route, role, where, res.Body)
				}
			}
		}
	})
}

// matrix holds a token per role, in the county and in another one, and
// the subject of each role's token in the county. The county's workers of
// the register's roles are registered workers (a caseworker, and a partner
// of education), so that each can own a rectification item.
type matrix struct {
	f        *fixture
	tokens   map[string]string
	subjects map[string]string
}

func newMatrix(f *fixture) *matrix {
	m := &matrix{f: f, tokens: map[string]string{}, subjects: map[string]string{}}
	for _, role := range everyRoleName {
		switch role {
		case "child_director":
			m.subjects[role], m.tokens[role+"/in"] = f.trainedWorker(role, village)
		case "child_supervisor":
			m.subjects[role], m.tokens[role+"/in"] = f.trainedWorker(role, village[:9])
		case "caseworker":
			m.subjects[role] = f.registerWorker(role, county)
			m.tokens[role+"/in"] = f.env.Token(role, county, m.subjects[role], "")
		case "partner":
			res := f.do("POST", "/v1/workers", f.admin, map[string]any{"name": "赵敏", "role": role, "jurisdiction": county, "agency": "education"})
			m.subjects[role] = answer(f.t, res, http.StatusCreated).ID
			m.tokens[role+"/in"] = f.env.Token(role, county, m.subjects[role], "education")
		default:
			m.subjects[role] = role + "-1"
			m.tokens[role+"/in"] = f.tokenOf(role)
		}
		switch role {
		case "child_director":
			_, m.tokens[role+"/out"] = f.trainedWorker(role, otherCounty+"101201")
		case "child_supervisor":
			_, m.tokens[role+"/out"] = f.trainedWorker(role, otherCounty+"101")
		case "partner":
			m.tokens[role+"/out"] = f.env.Token(role, otherCounty, "edu-2", "education")
		default:
			m.tokens[role+"/out"] = f.env.Token(role, otherCounty, role+"-2", "")
		}
	}
	return m
}

// token is the role's token in or out of the county; the deadline policy
// holds everywhere, so its admin "in jurisdiction" is the admin of all;
// only the police acknowledge a forwarded report, so its partners are of
// the police; among partners only the 12355 desk receives a report, so
// those of POST /v1/cases are of the Youth League.
func (m *matrix) token(route, role string, inside bool) string {
	if route == "PUT /v1/policy" && role == "admin" && inside {
		return m.f.admin
	}
	if route == "POST /v1/cases" && role == "partner" {
		if inside {
			return m.f.env.Token(role, county, "desk-1", "youth_league")
		}
		return m.f.env.Token(role, otherCounty, "desk-2", "youth_league")
	}
	if route == "POST /v1/cases/{id}/police-report/acknowledgment" && role == "partner" {
		if inside {
			return m.f.env.Token(role, county, "police-1", "police")
		}
		return m.f.env.Token(role, otherCounty, "police-2", "police")
	}
	if inside {
		return m.tokens[role+"/in"]
	}
	return m.tokens[role+"/out"]
}

func (m *matrix) post(path, token string, body any, status int) string {
	m.f.t.Helper()
	return answer(m.f.t, m.f.do("POST", path, token, body), status).ID
}

// inquiry opens an inquiry into a case of the county, by an inspector of
// the county.
func (m *matrix) inquiry(caseID string) string {
	inspector := m.f.env.Token("inspector", county, "insp-matrix", "")
	return m.post("/v1/inquiries", inspector, map[string]any{"case_id": caseID, "incident_at": at(-time.Hour), "reason": "倒查"}, http.StatusCreated)
}

// foundInquiry opens an inquiry into a case of the county and records its
// findings with one item, r1, owned by owner.
func (m *matrix) foundInquiry(caseID, owner string) string {
	id := m.inquiry(caseID)
	inspector := m.f.env.Token("inspector", county, "insp-matrix", "")
	m.post("/v1/inquiries/"+id+"/findings", inspector, map[string]any{"occurred_at": at(time.Minute), "findings": "未按期走访",
		"responsibilities": []any{}, "rectifications": []any{map[string]any{"description": "补齐走访记录", "owner": owner,
			"due_on": time.Now().In(chinaTime).AddDate(0, 1, 0).Format(time.DateOnly)}}}, http.StatusCreated)
	return id
}

// assignedCase opens a case and assigns it to a registered caseworker.
func (m *matrix) assignedCase() string {
	id := m.f.openCase()
	m.post("/v1/cases/"+id+"/assignment", m.f.caseworker, map[string]any{"worker_id": m.f.registerWorker("caseworker", county)}, http.StatusOK)
	return id
}

// webhook registers a webhook of the county.
func (m *matrix) webhook() api.Answer {
	res := m.f.do("POST", "/v1/webhooks", m.f.admin, map[string]any{"url": "https://platform.example/hooks", "jurisdiction": county,
		"kinds": []string{"obligation.opened"}})
	return answer(m.f.t, res, http.StatusCreated)
}

func (m *matrix) probes() []probe {
	f := m.f
	occurred := func() string { return at(-time.Hour) }
	caseProbe := func(route, suffix string, prepare func(id string), body func() map[string]any) probe {
		return probe{route: route, outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			id := m.assignedCase()
			if prepare != nil {
				prepare(id)
			}
			return "/v1/cases/" + id + suffix, body(), http.StatusOK
		}}
	}
	referralProbe := func(route, verb string, accepted bool, body map[string]any) probe {
		return probe{route: route, outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			id := m.assignedCase()
			rid := f.makeReferral(id)
			if accepted {
				m.post("/v1/cases/"+id+"/referrals/"+rid+"/acceptance", f.caseworker, map[string]any{}, http.StatusOK)
			}
			return "/v1/cases/" + id + "/referrals/" + rid + "/" + verb, body, http.StatusOK
		}}
	}
	query := func(route string, path func() string, outside int) probe {
		return probe{route: route, outside: outside, request: func(*fixture) (string, any, int) { return path(), nil, http.StatusOK }}
	}
	sharedCase := m.assignedCase()
	sharedChild := f.registerChild()
	inspector := f.env.Token("inspector", county, "insp-matrix", "")
	inquiry := m.post("/v1/inquiries", inspector, map[string]any{"case_id": sharedCase, "incident_at": occurred(), "reason": "倒查"}, http.StatusCreated)

	return []probe{
		{route: "POST /v1/workers", outside: http.StatusForbidden, request: func(*fixture) (string, any, int) {
			return "/v1/workers", map[string]any{"name": "刘洋", "role": "caseworker", "jurisdiction": county}, http.StatusCreated
		}},
		{route: "POST /v1/workers/{id}/training", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			id := f.registerWorker("child_director", village)
			return "/v1/workers/" + id + "/training", map[string]any{"passed": true, "completed_on": time.Now().In(chinaTime).AddDate(0, 0, -1).Format(time.DateOnly)}, http.StatusOK
		}},
		{route: "POST /v1/webhooks", outside: http.StatusForbidden, request: func(f *fixture) (string, any, int) {
			return "/v1/webhooks", map[string]any{"url": "https://platform.example/hooks", "jurisdiction": county,
				"kinds": []string{"obligation.missed"}}, http.StatusCreated
		}},
		{route: "POST /v1/webhooks/{id}/removal", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/webhooks/" + m.webhook().ID + "/removal", nil, http.StatusOK
		}},
		{route: "GET /v1/webhooks/{id}/deliveries", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			hook := m.webhook()
			return fmt.Sprintf("/v1/webhooks/%s/deliveries?min_position=%d", hook.ID, hook.Events[0].GlobalPosition), nil, http.StatusOK
		}},
		{route: "POST /v1/workers/{id}/deactivation", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/workers/" + f.registerWorker("child_director", village) + "/deactivation",
				map[string]any{"occurred_at": at(2 * time.Second), "reason": "调任"}, http.StatusOK
		}},
		// The new post lies outside another county's admin: refused before
		// the worker is looked up, so 403 whether or not it exists.
		{route: "POST /v1/workers/{id}/transfer", outside: http.StatusForbidden, request: func(f *fixture) (string, any, int) {
			return "/v1/workers/" + f.registerWorker("child_director", village) + "/transfer",
				map[string]any{"occurred_at": at(2 * time.Second), "jurisdiction": village[:9] + "202"}, http.StatusOK
		}},
		{route: "POST /v1/children", outside: http.StatusForbidden, request: func(*fixture) (string, any, int) {
			return "/v1/children", childBody(), http.StatusCreated
		}},
		{route: "POST /v1/children/{id}/profile", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/children/" + f.registerChild() + "/profile", map[string]any{"schooling": "初中一年级"}, http.StatusOK
		}},
		{route: "POST /v1/children/{id}/visits", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/children/" + f.registerChild() + "/visits", map[string]any{"occurred_at": occurred(), "findings": "在家", "concerns": []string{}}, http.StatusOK
		}},
		{route: "POST /v1/children/{id}/corrections", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			id := f.registerChild()
			return "/v1/children/" + id + "/corrections", map[string]any{"corrects_position": firstPosition(f, domain.ChildStream(id)),
				"fields": map[string]any{"schooling": "小学四年级"}, "reason": "录入错误"}, http.StatusOK
		}},
		{route: "POST /v1/cases/{id}/corrections", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			id := m.assignedCase()
			return "/v1/cases/" + id + "/corrections", map[string]any{"corrects_position": firstPosition(f, domain.CaseStream(id)),
				"fields": map[string]any{"summary": "邻居来电：孩子独自在家两天"}, "reason": "录入错误"}, http.StatusOK
		}},
		{route: "POST /v1/children/{id}/entrusted-guardianship", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/children/" + f.registerChild() + "/entrusted-guardianship", map[string]any{"occurred_at": occurred(),
				"entrusted_guardian": map[string]any{"name": "张婶", "relation": "姑姑"}, "parents_notified": true}, http.StatusOK
		}},
		{route: "POST /v1/children/{id}/erasure", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/children/" + f.registerChild() + "/erasure", map[string]any{"reason": "依法删除"}, http.StatusOK
		}},
		{route: "POST /v1/cases", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			// A report of the 12355 line, which the 12355 desk receives too.
			return "/v1/cases", map[string]any{"child_id": f.registerChild(), "source": "hotline_12355", "reporter": map[string]any{"type": "anonymous"},
				"concerns": []string{"neglect"}, "risk": "medium", "received_at": occurred(), "summary": "来访"}, http.StatusCreated
		}},
		caseProbe("POST /v1/cases/{id}/police-report", "/police-report", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "police_unit": "城关派出所"}
		}),
		caseProbe("POST /v1/cases/{id}/police-report/acknowledgment", "/police-report/acknowledgment", func(id string) {
			m.post("/v1/cases/"+id+"/police-report", f.caseworker, map[string]any{"occurred_at": at(-90 * time.Minute), "police_unit": "城关派出所"}, http.StatusOK)
		}, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "action": "出警"}
		}),
		caseProbe("POST /v1/cases/{id}/emergency-response", "/emergency-response", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "action": "上门查看"}
		}),
		{route: "POST /v1/cases/{id}/assignment", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/cases/" + f.openCase() + "/assignment", map[string]any{"worker_id": f.registerWorker("caseworker", county)}, http.StatusOK
		}},
		caseProbe("POST /v1/cases/{id}/assessments", "/assessments", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "risk": "medium", "needs": []string{"心理支持"}}
		}),
		caseProbe("POST /v1/cases/{id}/conferences", "/conferences", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "agencies": []string{"education"}, "decisions": "转介教育部门"}
		}),
		{route: "POST /v1/cases/{id}/referrals", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			return "/v1/cases/" + m.assignedCase() + "/referrals", map[string]any{"agency": "education", "service": "return_to_school", "note": "返校"}, http.StatusCreated
		}},
		referralProbe("POST /v1/cases/{id}/referrals/{rid}/acceptance", "acceptance", false, map[string]any{}),
		referralProbe("POST /v1/cases/{id}/referrals/{rid}/decline", "decline", false, map[string]any{"reason": "不属本部门职责"}),
		referralProbe("POST /v1/cases/{id}/referrals/{rid}/completion", "completion", true, map[string]any{}),
		caseProbe("POST /v1/cases/{id}/temporary-guardianship", "/temporary-guardianship", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "ground": "guardian_missing", "placement": "center"}
		}),
		caseProbe("POST /v1/cases/{id}/temporary-guardianship/end", "/temporary-guardianship/end", func(id string) {
			m.post("/v1/cases/"+id+"/temporary-guardianship", f.caseworker, map[string]any{"occurred_at": at(-2 * time.Hour), "ground": "guardian_missing", "placement": "center"}, http.StatusOK)
		}, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "outcome": "returned_to_family"}
		}),
		caseProbe("POST /v1/cases/{id}/guardianship-intervention", "/guardianship-intervention", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "measure": "训诫"}
		}),
		caseProbe("POST /v1/cases/{id}/follow-ups", "/follow-ups", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "note": "电话回访"}
		}),
		caseProbe("POST /v1/cases/{id}/major-incident", "/major-incident", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "description": "儿童受伤"}
		}),
		caseProbe("POST /v1/cases/{id}/closure", "/closure", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "reason": "resolved"}
		}),
		caseProbe("POST /v1/cases/{id}/reopening", "/reopening", func(id string) {
			m.post("/v1/cases/"+id+"/closure", f.caseworker, map[string]any{"occurred_at": at(-2 * time.Hour), "reason": "resolved"}, http.StatusOK)
		}, func() map[string]any { return map[string]any{"reason": "新情况"} }),
		caseProbe("POST /v1/cases/{id}/transfer", "/transfer", nil, func() map[string]any {
			return map[string]any{"occurred_at": occurred(), "jurisdiction": "370911101201", "reason": "随母迁居岱岳区"}
		}),
		{route: "POST /v1/inquiries", outside: http.StatusNotFound, request: func(*fixture) (string, any, int) {
			return "/v1/inquiries", map[string]any{"case_id": sharedCase, "incident_at": occurred(), "reason": "倒查"}, http.StatusCreated
		}},
		{route: "POST /v1/inquiries/{id}/findings", outside: http.StatusNotFound, request: func(*fixture) (string, any, int) {
			return "/v1/inquiries/" + m.inquiry(sharedCase) + "/findings", map[string]any{"occurred_at": at(time.Minute), "findings": "未发现失职",
				"responsibilities": []any{}, "rectifications": []any{}}, http.StatusCreated
		}},
		{route: "POST /v1/inquiries/{id}/rectifications/{rid}/completion", outside: http.StatusNotFound,
			owned: func(f *fixture, role, subject string) (string, any, int) {
				owner := subject
				if role == "" || role == "inspector" { // an inspector completes an item it does not own
					owner = f.registerWorker("child_director", village)
				}
				return "/v1/inquiries/" + m.foundInquiry(sharedCase, owner) + "/rectifications/r1/completion",
					map[string]any{"occurred_at": at(2 * time.Minute), "note": "已补齐"}, http.StatusOK
			}},
		{route: "POST /v1/inquiries/{id}/closure", outside: http.StatusNotFound, request: func(*fixture) (string, any, int) {
			id := m.inquiry(sharedCase)
			m.post("/v1/inquiries/"+id+"/findings", inspector, map[string]any{"occurred_at": at(time.Minute), "findings": "未发现失职",
				"responsibilities": []any{}, "rectifications": []any{}}, http.StatusCreated)
			return "/v1/inquiries/" + id + "/closure", map[string]any{"occurred_at": at(2 * time.Minute), "conclusion": "结案"}, http.StatusOK
		}},
		{route: "PUT /v1/policy", outside: http.StatusForbidden, request: func(*fixture) (string, any, int) {
			p := domain.DefaultPolicy()
			return "/v1/policy", p, http.StatusOK
		}},
		query("GET /v1/cases/{id}", func() string { return "/v1/cases/" + sharedCase }, http.StatusNotFound),
		query("GET /v1/cases/{id}/events", func() string { return "/v1/cases/" + sharedCase + "/events" }, http.StatusNotFound),
		query("GET /v1/cases/{id}/timeline", func() string { return "/v1/cases/" + sharedCase + "/timeline" }, http.StatusNotFound),
		query("GET /v1/workers", func() string { return "/v1/workers?jurisdiction=" + village[:9] }, http.StatusNotFound),
		query("GET /v1/coverage", func() string { return "/v1/coverage?jurisdiction=" + village[:9] }, http.StatusNotFound),
		query("GET /v1/children", func() string { return "/v1/children?jurisdiction=" + village }, http.StatusNotFound),
		query("GET /v1/children/{id}", func() string { return "/v1/children/" + sharedChild }, http.StatusNotFound),
		query("GET /v1/children/{id}/timeline", func() string { return "/v1/children/" + sharedChild + "/timeline" }, http.StatusNotFound),
		query("GET /v1/caseload", func() string { return "/v1/caseload?jurisdiction=" + village }, http.StatusNotFound),
		query("GET /v1/deadlines", func() string { return "/v1/deadlines?jurisdiction=" + village }, http.StatusNotFound),
		query("GET /v1/stats/cases", func() string { return "/v1/stats/cases?group_by=month&jurisdiction=" + village[:9] }, http.StatusNotFound),
		query("GET /v1/access-log", func() string { return "/v1/access-log?jurisdiction=" + village }, http.StatusNotFound),
		query("GET /v1/integrity", func() string { return "/v1/integrity" }, http.StatusOK),
		query("GET /v1/inbox", func() string { return "/v1/inbox" }, http.StatusOK),
		query("GET /v1/notifications", func() string { return "/v1/notifications?jurisdiction=" + village }, http.StatusNotFound),
		query("GET /v1/referrals", func() string { return "/v1/referrals?jurisdiction=" + village }, http.StatusNotFound),
		{route: "GET /v1/referrals/{id}", outside: http.StatusNotFound, request: func(f *fixture) (string, any, int) {
			id := m.assignedCase()
			rid := f.makeReferral(id) // to education, the matrix's partners' agency
			accepted := answer(f.t, f.do("POST", "/v1/cases/"+id+"/referrals/"+rid+"/acceptance", f.caseworker, map[string]any{}), http.StatusOK)
			// Read once the read models have the acceptance.
			return "/v1/referrals/" + rid + "?min_position=" + strconv.FormatInt(accepted.Events[len(accepted.Events)-1].GlobalPosition, 10),
				nil, http.StatusOK
		}},
		query("GET /v1/inquiries/{id}/report", func() string { return "/v1/inquiries/" + inquiry + "/report" }, http.StatusNotFound),
		query("GET /v1/inquiries", func() string { return "/v1/inquiries?jurisdiction=" + village }, http.StatusNotFound),
		query("GET /v1/cases/{id}/trace", func() string { return "/v1/cases/" + sharedCase + "/trace" }, http.StatusNotFound),
		query("GET /v1/children/{id}/trace", func() string { return "/v1/children/" + sharedChild + "/trace" }, http.StatusNotFound),
	}
}

// firstPosition is the global position of a stream's first event.
func firstPosition(f *fixture, stream domain.StreamID) int64 {
	f.t.Helper()
	events, err := f.env.Store.ReadStream(context.Background(), stream.String(), 0, 1)
	require.NoError(f.t, err)
	require.NotEmpty(f.t, events)
	return events[0].GlobalPosition
}
