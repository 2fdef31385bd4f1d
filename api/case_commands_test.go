package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// caseStep is one command on an open case and what it needs first.
type caseStep struct {
	name   string
	status int // of the happy path
	event  string
	// required is a field whose absence is refused ("" when all are optional).
	required string
	// wrongRole is a role the route refuses.
	wrongRole string
	// timed: the body carries an occurred_at, which may not lie in the future.
	timed bool
	// actor is the role of the happy path (default caseworker).
	actor string
	// given prepares the case and gives the command's path and a valid body.
	given func(f *fixture, caseID string) (string, map[string]any)
}

func caseSteps() []caseStep {
	on := func(suffix string, body map[string]any) func(*fixture, string) (string, map[string]any) {
		return func(_ *fixture, caseID string) (string, map[string]any) { return "/v1/cases/" + caseID + suffix, body }
	}
	return []caseStep{
		{name: "police report", event: "case.report_forwarded_to_police", required: "police_unit", wrongRole: "partner", timed: true, actor: "child_director",
			given: on("/police-report", map[string]any{"occurred_at": at(-time.Hour), "police_unit": "城关派出所", "reference": "JQ-2026-1"})},
		{name: "emergency response", event: "case.emergency_response_recorded", required: "action", wrongRole: "inspector", timed: true, actor: "child_supervisor",
			given: on("/emergency-response", map[string]any{"occurred_at": at(-time.Hour), "action": "接回救助保护中心", "note": "孩子无外伤"})},
		{name: "assignment", event: "case.assigned", required: "worker_id", wrongRole: "child_director",
			given: func(f *fixture, caseID string) (string, map[string]any) {
				return "/v1/cases/" + caseID + "/assignment", map[string]any{"worker_id": f.registerWorker("caseworker", county)}
			}},
		{name: "assessment", event: "case.assessment_completed", required: "risk", wrongRole: "partner", timed: true,
			given: on("/assessments", map[string]any{"occurred_at": at(-time.Hour), "risk": "medium", "needs": []string{"心理疏导"}, "guardianship_assessment": "祖父年迈，监护能力不足"})},
		{name: "conference", event: "case.conference_held", required: "decisions", wrongRole: "inspector", timed: true,
			given: on("/conferences", map[string]any{"occurred_at": at(-time.Hour), "agencies": []string{"education", "police"}, "decisions": "安排返校"})},
		{name: "referral", status: http.StatusCreated, event: "case.referral_made", required: "service", wrongRole: "partner",
			given: on("/referrals", map[string]any{"agency": "education", "service": "return_to_school", "note": "协助返校"})},
		{name: "referral acceptance", event: "case.referral_accepted", wrongRole: "inspector", timed: true, actor: "partner",
			given: func(f *fixture, caseID string) (string, map[string]any) {
				rid := f.makeReferral(caseID)
				return "/v1/cases/" + caseID + "/referrals/" + rid + "/acceptance", map[string]any{"note": "已接收"}
			}},
		{name: "referral decline", event: "case.referral_declined", required: "reason", wrongRole: "inspector", actor: "partner",
			given: func(f *fixture, caseID string) (string, map[string]any) {
				rid := f.makeReferral(caseID)
				return "/v1/cases/" + caseID + "/referrals/" + rid + "/decline", map[string]any{"reason": "不属本部门职责"}
			}},
		{name: "referral completion", event: "case.referral_completed", wrongRole: "child_supervisor", timed: true, actor: "partner",
			given: func(f *fixture, caseID string) (string, map[string]any) {
				rid := f.makeReferral(caseID)
				answer(f.t, f.do("POST", "/v1/cases/"+caseID+"/referrals/"+rid+"/acceptance", f.caseworker, nil), http.StatusOK)
				return "/v1/cases/" + caseID + "/referrals/" + rid + "/completion", map[string]any{"note": "已返校"}
			}},
		{name: "temporary guardianship", event: "case.temporary_guardianship_started", required: "ground", wrongRole: "child_director", timed: true,
			given: on("/temporary-guardianship", map[string]any{"occurred_at": at(-time.Hour), "ground": "guardian_unable_emergency", "placement": "center"})},
		{name: "temporary guardianship end", event: "case.temporary_guardianship_ended", required: "outcome", wrongRole: "child_supervisor", timed: true,
			given: func(f *fixture, caseID string) (string, map[string]any) {
				answer(f.t, f.do("POST", "/v1/cases/"+caseID+"/temporary-guardianship", f.caseworker, map[string]any{
					"occurred_at": at(-time.Hour), "ground": "guardian_missing", "placement": "kin"}), http.StatusOK)
				return "/v1/cases/" + caseID + "/temporary-guardianship/end", map[string]any{"occurred_at": at(-time.Minute), "outcome": "returned_to_family"}
			}},
		{name: "guardianship intervention", event: "case.guardianship_intervention_recorded", required: "measure", wrongRole: "child_director", timed: true,
			given: on("/guardianship-intervention", map[string]any{"occurred_at": at(-time.Hour), "measure": "训诫", "note": "父母到场"})},
		{name: "follow-up", event: "case.follow_up_recorded", required: "note", wrongRole: "partner", timed: true, actor: "child_director",
			given: on("/follow-ups", map[string]any{"occurred_at": at(-time.Hour), "note": "电话回访，情况稳定", "method": "phone"})},
		{name: "major incident", event: "case.major_incident_declared", required: "description", wrongRole: "child_director", timed: true, actor: "inspector",
			given: on("/major-incident", map[string]any{"occurred_at": at(-time.Hour), "description": "儿童走失"})},
		{name: "closure", event: "case.closed", required: "reason", wrongRole: "child_supervisor", timed: true,
			given: on("/closure", map[string]any{"occurred_at": at(-time.Hour), "reason": "resolved"})},
		{name: "reopening", event: "case.reopened", required: "reason", wrongRole: "inspector",
			given: func(f *fixture, caseID string) (string, map[string]any) {
				answer(f.t, f.do("POST", "/v1/cases/"+caseID+"/closure", f.caseworker, map[string]any{"occurred_at": at(-time.Hour), "reason": "resolved"}), http.StatusOK)
				return "/v1/cases/" + caseID + "/reopening", map[string]any{"reason": "再次接到报告"}
			}},
	}
}

func TestCaseCommands(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		for _, step := range caseSteps() {
			t.Run(step.name, func(t *testing.T) {
				f := newFixture(t, env)
				caseID := f.openCase()
				path, body := step.given(f, caseID)
				stream := domain.CaseStream(caseID)
				before := streamTypes(t, env, stream)

				if step.required != "" {
					assert.Equal(t, step.required, problemField(t, f.do("POST", path, f.caseworker, without(body, step.required)), http.StatusBadRequest))
				}
				assert.Equal(t, "colour", problemField(t, f.do("POST", path, f.caseworker, with(body, "colour", "red")), http.StatusBadRequest))
				problemField(t, f.do("POST", path, f.tokenOf(step.wrongRole), body), http.StatusForbidden)
				outside := env.Token("caseworker", otherCounty, "cw-9", "")
				problemField(t, f.do("POST", path, outside, body), http.StatusNotFound)
				if step.timed {
					assert.Equal(t, "occurred_at", problemField(t, f.do("POST", path, f.caseworker, with(body, "occurred_at", at(time.Hour))), http.StatusUnprocessableEntity))
				}
				problemField(t, f.do("POST", path, f.caseworker, body, "If-Match", `"0"`), http.StatusPreconditionFailed)
				require.Equal(t, before, streamTypes(t, env, stream), "a refused command appends nothing")

				actor := f.caseworker
				if step.actor != "" {
					actor = f.tokenOf(step.actor)
				}
				status := step.status
				if status == 0 {
					status = http.StatusOK
				}
				version := len(before)
				ans := answer(t, f.do("POST", path, actor, body, "If-Match", `"`+itoa(version)+`"`), status)
				assert.Equal(t, caseID, ans.ID)
				assert.Equal(t, int64(version+1), ans.Version)
				assert.Equal(t, []string{step.event}, eventTypes(ans))
				assert.Equal(t, append(before, step.event), streamTypes(t, env, stream))
				if step.event == "case.referral_made" {
					assert.NotEmpty(t, ans.ReferralID)
				}
			})
		}
	})
}
