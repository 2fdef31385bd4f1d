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

// findingsBody are findings holding the director responsible, with two
// items: the first owned by owner1 and numbered by the server, the second
// owned by owner2 with its own id.
func findingsBody(responsible, owner1, owner2 string) map[string]any {
	due := time.Now().In(chinaTime).AddDate(0, 1, 0).Format(time.DateOnly)
	return map[string]any{
		"occurred_at": at(time.Minute), "findings": "三个月未走访，未发现儿童独居",
		"responsibilities": []any{map[string]any{"worker_id": responsible, "finding": "未按期走访"}},
		"rectifications": []any{
			map[string]any{"description": "补齐全村走访记录", "owner": owner1, "due_on": due},
			map[string]any{"id": "training", "description": "组织儿童主任轮训", "owner": owner2, "due_on": due},
		},
	}
}

// withItem is a findings body with one field of its i-th item set.
func withItem(body map[string]any, i int, field string, v any) map[string]any {
	out := with(body, "rectifications", nil)
	var items []any
	for j, it := range body["rectifications"].([]any) {
		if j == i {
			it = with(it.(map[string]any), field, v)
		}
		items = append(items, it)
	}
	out["rectifications"] = items
	return out
}

// TestInquiryLoop: an inquiry from its opening to its closure over HTTP —
// findings naming workers of the register, rectification items completed
// by their owners (one moved to another post meanwhile) and an inspector,
// the closure — then it is listed as closed and no longer holds the
// child's record against erasure.
func TestInquiryLoop(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		inspector := f.tokenOf("inspector")
		directorID, director := f.trainedWorker("child_director", village)
		supervisorID, _ := f.trainedWorker("child_supervisor", village[:9])
		_, otherDirector := f.trainedWorker("child_director", village) // of the same village, owning nothing
		_, farDirector := f.trainedWorker("child_director", otherCounty+"101201")

		caseID := f.openCase()
		answer(t, f.do("POST", "/v1/cases/"+caseID+"/closure", f.caseworker, map[string]any{"occurred_at": at(-time.Minute), "reason": "resolved"}), http.StatusOK)
		var c struct {
			ChildID string `json:"child_id"`
		}
		opened := answer(t, f.do("POST", "/v1/inquiries", inspector, map[string]any{"case_id": caseID, "incident_at": at(-time.Hour), "reason": "倒查"}), http.StatusCreated)
		intoChild := func() string {
			res := f.do("GET", "/v1/cases/"+caseID+"?min_position="+itoa(int(opened.Events[0].GlobalPosition)), f.caseworker, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &c)
			return answer(t, f.do("POST", "/v1/inquiries", inspector, map[string]any{"child_id": c.ChildID, "incident_at": at(-time.Hour), "reason": "倒查"}), http.StatusCreated).ID
		}()
		on := func(suffix string) string { return "/v1/inquiries/" + opened.ID + suffix }

		// Findings.
		body := findingsBody(directorID, directorID, supervisorID)
		for _, field := range []string{"occurred_at", "findings", "responsibilities", "rectifications"} {
			assert.Equal(t, field, problemField(t, f.do("POST", on("/findings"), inspector, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "rectifications[0].owner", problemField(t, f.do("POST", on("/findings"), inspector, withItem(body, 0, "owner", "no-such-worker")), http.StatusBadRequest))
		assert.Equal(t, "responsibilities[0].worker_id", problemField(t, f.do("POST", on("/findings"), inspector,
			with(body, "responsibilities", []any{map[string]any{"worker_id": "no-such-worker", "finding": "x"}})), http.StatusBadRequest))
		assert.Equal(t, "rectifications[1].due_on", problemField(t, f.do("POST", on("/findings"), inspector, withItem(body, 1, "due_on", "2025-13-01")), http.StatusBadRequest))
		assert.Equal(t, "rectifications[1].description", problemField(t, f.do("POST", on("/findings"), inspector, withItem(body, 1, "description", " ")), http.StatusBadRequest))
		assert.Equal(t, "rectifications[1].id", problemField(t, f.do("POST", on("/findings"), inspector, withItem(body, 1, "id", "r1")), http.StatusBadRequest))
		assert.Equal(t, "priority", problemField(t, f.do("POST", on("/findings"), inspector, withItem(body, 0, "priority", "high")), http.StatusBadRequest))
		yesterday := time.Now().In(chinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
		assert.Equal(t, "rectifications[0].due_on", problemField(t, f.do("POST", on("/findings"), inspector, withItem(body, 0, "due_on", yesterday)), http.StatusUnprocessableEntity))
		assert.Equal(t, "occurred_at", problemField(t, f.do("POST", on("/findings"), inspector, with(body, "occurred_at", at(-2*time.Hour))), http.StatusUnprocessableEntity),
			"before the inquiry was opened")
		problemField(t, f.do("POST", on("/findings"), f.caseworker, body), http.StatusForbidden)
		problemField(t, f.do("POST", on("/findings"), env.Token("inspector", otherCounty, "insp-9", ""), body), http.StatusNotFound)
		problemField(t, f.do("POST", "/v1/inquiries/no-such-inquiry/findings", inspector, body), http.StatusNotFound)
		assert.Equal(t, "no_findings", ruleOf(t, f.do("POST", on("/closure"), inspector, map[string]any{"occurred_at": at(2 * time.Minute), "conclusion": "结案"})))

		found := f.do("POST", on("/findings"), inspector, body, "Idempotency-Key", "findings-1")
		ans := answer(t, found, http.StatusCreated)
		assert.Equal(t, opened.ID, ans.ID)
		assert.Equal(t, []string{"inquiry.findings_recorded"}, eventTypes(ans))
		assert.Equal(t, []string{"r1", "training"}, ans.RectificationIDs)
		retry := answer(t, f.do("POST", on("/findings"), inspector, body, "Idempotency-Key", "findings-1"), http.StatusCreated)
		assert.Equal(t, ans, retry, "a retry answers as the first time, with the items' ids")
		assert.Equal(t, "findings_recorded", ruleOf(t, f.do("POST", on("/findings"), inspector, body)))
		assert.Equal(t, "rectification_open", ruleOf(t, f.do("POST", on("/closure"), inspector, map[string]any{"occurred_at": at(2 * time.Minute), "conclusion": "结案"})))

		// Completion.
		done := map[string]any{"occurred_at": at(2 * time.Minute), "note": "已补齐全村走访记录"}
		for _, field := range []string{"occurred_at", "note"} {
			assert.Equal(t, field, problemField(t, f.do("POST", on("/rectifications/r1/completion"), director, without(done, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "occurred_at", problemField(t, f.do("POST", on("/rectifications/r1/completion"), director, with(done, "occurred_at", at(-30*time.Minute))),
			http.StatusUnprocessableEntity), "before the findings")
		problemField(t, f.do("POST", on("/rectifications/training/completion"), director, done), http.StatusForbidden) // the supervisor's item
		problemField(t, f.do("POST", on("/rectifications/r1/completion"), otherDirector, done), http.StatusForbidden)
		problemField(t, f.do("POST", on("/rectifications/r1/completion"), farDirector, done), http.StatusNotFound)
		problemField(t, f.do("POST", on("/rectifications/r1/completion"), env.Token("inspector", otherCounty, "insp-9", ""), done), http.StatusNotFound)
		problemField(t, f.do("POST", on("/rectifications/r1/completion"), f.tokenOf("analyst"), done), http.StatusForbidden)
		problemField(t, f.do("POST", on("/rectifications/r1/completion"), f.admin, done), http.StatusForbidden)
		problemField(t, f.do("POST", on("/rectifications/r9/completion"), inspector, done), http.StatusNotFound)
		problemField(t, f.do("POST", on("/rectifications/r9/completion"), director, done), http.StatusNotFound)

		ans = answer(t, f.do("POST", on("/rectifications/r1/completion"), director, done), http.StatusOK)
		assert.Equal(t, []string{"inquiry.rectification_completed"}, eventTypes(ans))
		assert.Equal(t, "rectification_completed", ruleOf(t, f.do("POST", on("/rectifications/r1/completion"), director, done)))

		// The supervisor moves to a township of another county: the item is
		// still the supervisor's to complete there.
		answer(t, f.do("POST", "/v1/workers/"+supervisorID+"/transfer", f.admin,
			map[string]any{"occurred_at": at(2 * time.Second), "jurisdiction": otherCounty + "101"}), http.StatusOK)
		movedSupervisor := env.Token("child_supervisor", otherCounty+"101", supervisorID, "")
		ans = answer(t, f.do("POST", on("/rectifications/training/completion"), movedSupervisor, with(done, "note", "已组织轮训")), http.StatusOK)
		assert.Equal(t, []string{"inquiry.rectification_completed"}, eventTypes(ans))

		// Closure.
		closure := map[string]any{"occurred_at": at(3 * time.Minute), "conclusion": "整改完成，倒查结束"}
		assert.Equal(t, "conclusion", problemField(t, f.do("POST", on("/closure"), inspector, without(closure, "conclusion")), http.StatusBadRequest))
		problemField(t, f.do("POST", on("/closure"), director, closure), http.StatusForbidden)
		problemField(t, f.do("POST", on("/closure"), env.Token("inspector", otherCounty, "insp-9", ""), closure), http.StatusNotFound)

		held := f.do("POST", "/v1/children/"+c.ChildID+"/erasure", f.admin, map[string]any{"reason": "监护人申请删除"})
		assert.Equal(t, "legal_hold", ruleOf(t, held))
		assert.Contains(t, string(held.Body), "inquiry "+opened.ID+" is open")

		closed := answer(t, f.do("POST", on("/closure"), inspector, closure), http.StatusOK)
		assert.Equal(t, []string{"inquiry.closed"}, eventTypes(closed))
		assert.Equal(t, "inquiry_closed", ruleOf(t, f.do("POST", on("/closure"), inspector, closure)))
		assert.Equal(t, "inquiry_closed", ruleOf(t, f.do("POST", on("/findings"), inspector, body)))
		assert.Equal(t, "inquiry_closed", ruleOf(t, f.do("POST", on("/rectifications/r1/completion"), inspector, done)))
		assert.Equal(t, []string{"inquiry.opened", "inquiry.findings_recorded", "inquiry.rectification_completed", "inquiry.rectification_completed",
			"inquiry.closed"}, streamTypes(t, env, domain.InquiryStream(opened.ID)))

		// Listed as closed, with when the findings came and when it closed.
		wait := "min_position=" + itoa(int(closed.Events[0].GlobalPosition))
		list := func(query string) []api.Inquiry {
			t.Helper()
			var page api.List[api.Inquiry]
			res := f.do("GET", "/v1/inquiries?"+wait+query, inspector, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &page)
			return page.Items
		}
		closedOnes := list("&status=closed")
		require.Len(t, closedOnes, 1)
		assert.Equal(t, opened.ID, closedOnes[0].ID)
		assert.Equal(t, "closed", closedOnes[0].Status)
		require.NotNil(t, closedOnes[0].FindingsAt)
		require.NotNil(t, closedOnes[0].ClosedAt)
		assert.False(t, closedOnes[0].ClosedAt.Before(*closedOnes[0].FindingsAt))
		openOnes := list("&status=open")
		require.Len(t, openOnes, 1)
		assert.Equal(t, intoChild, openOnes[0].ID)
		assert.Nil(t, openOnes[0].FindingsAt)
		assert.Nil(t, openOnes[0].ClosedAt)

		// The inquiry into the child still holds the record; once it is
		// closed too (findings without items), nothing does.
		held = f.do("POST", "/v1/children/"+c.ChildID+"/erasure", f.admin, map[string]any{"reason": "监护人申请删除"})
		assert.Equal(t, "legal_hold", ruleOf(t, held))
		assert.NotContains(t, string(held.Body), opened.ID, "a closed inquiry holds nothing")
		assert.Contains(t, string(held.Body), "inquiry "+intoChild+" is open")
		ans = answer(t, f.do("POST", "/v1/inquiries/"+intoChild+"/findings", inspector, map[string]any{"occurred_at": at(time.Minute), "findings": "未发现失职",
			"responsibilities": []any{}, "rectifications": []any{}}), http.StatusCreated)
		assert.Empty(t, ans.RectificationIDs)
		answer(t, f.do("POST", "/v1/inquiries/"+intoChild+"/closure", inspector, closure), http.StatusOK)
		answer(t, f.do("POST", "/v1/children/"+c.ChildID+"/erasure", f.admin, map[string]any{"reason": "监护人申请删除"}), http.StatusOK)
	})
}
