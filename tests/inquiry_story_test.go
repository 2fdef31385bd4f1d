package tests

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInquiryStory drives, over HTTP against the real server on each
// backend, an inquiry from the first sign to the closed rectification: a
// director's visit finds a child living alone, which obliges her to report
// it (her inbox shows it, due soon); the report is forwarded to the police,
// who acknowledge it; the child is hurt and a major incident is declared,
// which obliges the county's inspectors to open an inquiry (their inbox
// shows it); the inquiry finds the director responsible and gives her a
// rectification item, which her inbox shows by name; she completes it; the
// case is closed, yet the child's data cannot be erased while the inquiry
// is open (409 naming it); the inspector closes the inquiry, and its report
// names the people, the reads and the outcome, every clock met.
func TestInquiryStory(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, b)
			var seen int64
			as := func(role, place, subject string, extra ...string) actor {
				return actor{s: s, token: s.token(role, place, subject, extra...), seen: &seen}
			}
			admin := as("admin", "all", "admin")
			register := func(name, role, place string) string {
				id := admin.command(http.MethodPost, "/v1/workers", map[string]any{"name": name, "role": role, "jurisdiction": place}, http.StatusCreated).ID
				admin.post("/v1/workers/"+id+"/training", map[string]any{"passed": true, "completed_on": time.Now().In(cst).AddDate(0, 0, -30).Format(time.DateOnly)})
				return id
			}
			directorID := register("孙桂英", "child_director", village)
			caseworkerID := register("王芳", "caseworker", county)
			director := as("child_director", village, directorID)
			caseworker := as("caseworker", county, caseworkerID)
			inspector := as("inspector", county, "inspector-zhao")
			police := as("partner", county, "police-li", "--agency", "police")

			inbox := func(who actor, kind string) []inboxItem {
				t.Helper()
				var page struct {
					Items []inboxItem `json:"items"`
				}
				who.get("/v1/inbox?limit=500", &page)
				return slices.DeleteFunc(page.Items, func(it inboxItem) bool { return it.Kind != kind })
			}

			t.Log("a visit finds the child living alone: the director owes the report")
			childID := caseworker.command(http.MethodPost, "/v1/children", map[string]any{
				"name": "刘小燕", "birth_date": "2016-05-09", "sex": "female", "jurisdiction": village,
				"categories": []string{"left_behind"}, "key_child_flags": []string{},
				"guardian":         map[string]any{"name": "刘建国", "relation": "father", "phone": "13800000002"},
				"living_situation": "与祖母同住", "schooling": "在校，三年级", "hukou_registered": true,
			}, http.StatusCreated).ID
			visited := now().Add(-20 * time.Minute)
			director.post("/v1/children/"+childID+"/visits", map[string]any{
				"occurred_at": rfc(visited), "findings": "祖母住院，孩子独自在家", "concerns": []string{"living_alone"},
			})
			owed := inbox(director, "report_after_visit")
			require.Len(t, owed, 1)
			assert.True(t, owed[0].DueSoon)
			assert.Equal(t, directorID, owed[0].Owner)
			assert.Equal(t, "孙桂英", owed[0].OwnerName)

			report := director.command(http.MethodPost, "/v1/cases", map[string]any{
				"child_id": childID, "source": "visit", "reporter": map[string]any{"type": "child_director", "name": "孙桂英"},
				"concerns": []string{"living_alone"}, "risk": "high", "received_at": rfc(visited.Add(10 * time.Minute)),
				"summary": "走访发现儿童独自在家",
			}, http.StatusCreated)
			caseID := report.ID
			assert.Empty(t, inbox(director, "report_after_visit"), "reported within the hour")

			t.Log("forwarded to the police, who acknowledge it")
			director.post("/v1/cases/"+caseID+"/police-report", map[string]any{"occurred_at": rfc(visited.Add(12 * time.Minute)), "police_unit": "邱家店派出所"})
			require.Len(t, inbox(police, "police_acknowledgment"), 1, "the county's police owe the acknowledgment")
			police.post("/v1/cases/"+caseID+"/police-report/acknowledgment", map[string]any{
				"occurred_at": rfc(visited.Add(19 * time.Minute)), "officer": "李警官", "action": "出警，将儿童送至亲属家",
			})
			assert.Empty(t, inbox(police, "police_acknowledgment"))

			t.Log("a major incident: the inspectors owe an inquiry within 7 days")
			caseworker.post("/v1/cases/"+caseID+"/major-incident", map[string]any{"occurred_at": rfc(now().Add(-5 * time.Minute)), "description": "儿童在家中烫伤"})
			due := inbox(inspector, "inquiry")
			require.Len(t, due, 1)
			assert.Equal(t, "inspector:"+county, due[0].Owner)
			inquiryID := inspector.command(http.MethodPost, "/v1/inquiries", map[string]any{
				"case_id": caseID, "incident_at": rfc(now().Add(-5 * time.Minute)), "reason": "儿童烫伤，倒查责任",
			}, http.StatusCreated).ID
			assert.Empty(t, inbox(inspector, "inquiry"), "the inquiry was opened")

			t.Log("findings: the director answers for it and owes a rectification")
			var findings struct {
				RectificationIDs []string `json:"rectification_ids"`
			}
			res := s.do(request{method: http.MethodPost, path: "/v1/inquiries/" + inquiryID + "/findings", token: inspector.token, body: map[string]any{
				"occurred_at": rfc(now()), "findings": "走访发现后及时报告，但此前两月未走访",
				"responsibilities": []map[string]any{{"worker_id": directorID, "finding": "未按期走访"}},
				"rectifications": []map[string]any{{"description": "对村内留守儿童全部走访一遍", "owner": directorID,
					"due_on": time.Now().In(cst).AddDate(0, 0, 30).Format(time.DateOnly)}},
			}})
			require.Equal(t, http.StatusCreated, res.status, res.String())
			res.json(t, &findings)
			require.Len(t, findings.RectificationIDs, 1)
			var c commandAnswer
			res.json(t, &c)
			seen = max(seen, c.last())
			item := inbox(director, "rectification")
			require.Len(t, item, 1, "the item is hers, by name")
			assert.Equal(t, "孙桂英", item[0].OwnerName)
			assert.Equal(t, inquiryID, item[0].InquiryID)
			assert.Equal(t, findings.RectificationIDs[0], item[0].RectificationID)
			s.refused(request{method: http.MethodPost, path: "/v1/inquiries/" + inquiryID + "/closure", token: inspector.token,
				body: map[string]any{"occurred_at": rfc(now()), "conclusion": "结案"}}, http.StatusConflict)

			director.post("/v1/inquiries/"+inquiryID+"/rectifications/"+findings.RectificationIDs[0]+"/completion",
				map[string]any{"occurred_at": rfc(now()), "note": "已走访全村23名留守儿童"})
			assert.Empty(t, inbox(director, "rectification"))

			t.Log("the case is closed, but the open inquiry still holds the child's record: no erasure")
			caseworker.post("/v1/cases/"+caseID+"/closure", map[string]any{"occurred_at": rfc(now()), "reason": "resolved"})
			hold := s.refused(request{method: http.MethodPost, path: "/v1/children/" + childID + "/erasure", token: admin.token,
				body: map[string]any{"reason": "监护人申请删除"}}, http.StatusConflict)
			assert.Contains(t, hold.Detail, "legal hold")
			assert.Contains(t, hold.Detail, "inquiry "+inquiryID+" is open", "the reason names the inquiry")
			assert.NotContains(t, hold.Detail, "case "+caseID, "the case is closed: only the inquiry holds it")
			var erasures struct {
				Items []struct {
					Type string `json:"type"`
				} `json:"items"`
			}
			inspector.get("/v1/children/"+childID+"/timeline", &erasures)
			for _, it := range erasures.Items {
				assert.NotEqual(t, "child.data_erased", it.Type, "a refused erasure changes nothing")
			}
			inspector.post("/v1/inquiries/"+inquiryID+"/closure", map[string]any{"occurred_at": rfc(now()), "conclusion": "整改完成，倒查结束"})

			t.Log("the report names the people, the reads and the outcome; every clock met")
			caseworker.get("/v1/children/"+childID, nil)
			var r struct {
				Deadlines []struct {
					Kind, Status string
				} `json:"deadlines"`
				People []struct {
					WorkerID string `json:"worker_id"`
					Name     string `json:"name"`
				} `json:"people"`
				Reads []struct {
					Subject string `json:"subject"`
				} `json:"reads"`
				Findings *struct {
					Responsibilities []struct {
						Name string `json:"name"`
					} `json:"responsibilities"`
				} `json:"findings"`
				Rectifications []struct {
					Status    string `json:"status"`
					OwnerName string `json:"owner_name"`
				} `json:"rectifications"`
				Closed *struct {
					Conclusion string `json:"conclusion"`
				} `json:"closed"`
			}
			inspector.get("/v1/inquiries/"+inquiryID+"/report", &r)
			statuses := map[string]string{}
			for _, d := range r.Deadlines {
				statuses[d.Kind] = d.Status
			}
			for _, kind := range []string{"report_after_visit", "police_report", "police_acknowledgment", "inquiry"} {
				assert.Equal(t, "met", statuses[kind], kind)
			}
			var names []string
			for _, p := range r.People {
				names = append(names, p.Name)
			}
			assert.Subset(t, names, []string{"孙桂英", "王芳"})
			assert.True(t, slices.ContainsFunc(r.Reads, func(x struct {
				Subject string `json:"subject"`
			}) bool {
				return x.Subject == caseworkerID
			}), "the caseworker's read of the child's file is in the report")
			require.NotNil(t, r.Findings)
			require.Len(t, r.Findings.Responsibilities, 1)
			assert.Equal(t, "孙桂英", r.Findings.Responsibilities[0].Name)
			require.Len(t, r.Rectifications, 1)
			assert.Equal(t, "met", r.Rectifications[0].Status)
			assert.Equal(t, "孙桂英", r.Rectifications[0].OwnerName)
			require.NotNil(t, r.Closed)
			assert.Equal(t, "整改完成，倒查结束", r.Closed.Conclusion)
		})
	}
}

// inboxItem is an item of GET /v1/inbox.
type inboxItem struct {
	Kind            string `json:"kind"`
	SubjectID       string `json:"subject_id"`
	Owner           string `json:"owner"`
	OwnerName       string `json:"owner_name"`
	InquiryID       string `json:"inquiry_id"`
	RectificationID string `json:"rectification_id"`
	DueSoon         bool   `json:"due_soon"`
	Escalated       bool   `json:"escalated"`
}
