package tests

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAccountabilityStory drives, over HTTP against the real server on each
// backend, what an inquiry needs named (责有人负): a director whose yearly
// retraining lapsed reports a child living alone — never refused, flagged
// lapsed; the village's obligations are hers by name; she leaves, a new
// director takes the post; a wrong entry is corrected beside the original,
// and the case's and the child's timelines show both entries with both
// values and the delay; an inquiry's report names both directors and the
// vacancy between and shows the correction; the child's data cannot be
// erased while the case is open and the inquiry runs; the child moves to
// the next county and the case follows.
func TestAccountabilityStory(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, b)
			var seen int64
			as := func(role, place, subject string) actor {
				return actor{s: s, token: s.token(role, place, subject), seen: &seen}
			}
			admin := as("admin", "all", "admin")
			register := func(name, role, place string) string {
				return admin.command(http.MethodPost, "/v1/workers", map[string]any{"name": name, "role": role, "jurisdiction": place}, http.StatusCreated).ID
			}
			liID := register("李秀兰", "child_director", village)
			admin.post("/v1/workers/"+liID+"/training", map[string]any{"passed": true, "completed_on": time.Now().In(cst).AddDate(-2, 0, 0).Format(time.DateOnly)})
			caseworkerID := register("王芳", "caseworker", county)
			li := as("child_director", village, liID)
			caseworker := as("caseworker", county, caseworkerID)
			inspector := as("inspector", county, "inspector-zhao")

			t.Log("a director whose retraining lapsed reports a child living alone: never refused")
			report := li.command(http.MethodPost, "/v1/cases", map[string]any{
				"child": map[string]any{
					"name": "王小明", "birth_date": "2015-03-02", "sex": "male", "jurisdiction": village,
					"categories": []string{"left_behind"}, "key_child_flags": []string{},
					"guardian":         map[string]any{"name": "王大山", "relation": "father", "phone": "13800000001"},
					"living_situation": "父母在外务工，与祖母同住", "schooling": "在校，四年级", "hukou_registered": true,
				},
				"source": "visit", "reporter": map[string]any{"type": "child_director", "name": "李秀兰"},
				"concerns": []string{"living_alone"}, "risk": "high", "received_at": rfc(now().Add(-time.Hour)),
				"summary": "走访发现儿童独自居住三天",
			}, http.StatusCreated)
			caseID := report.ID
			var events struct {
				Items []struct {
					Type  string `json:"type"`
					Actor struct {
						Subject       string `json:"subject"`
						Qualification string `json:"qualification"`
					} `json:"actor"`
				} `json:"items"`
			}
			caseworker.get("/v1/cases/"+caseID+"/events", &events)
			require.NotEmpty(t, events.Items)
			assert.Equal(t, liID, events.Items[0].Actor.Subject)
			assert.Equal(t, "lapsed", events.Items[0].Actor.Qualification, "the act carries the qualification as it stood")

			var c struct {
				ChildID          string `json:"child_id"`
				JurisdictionName string `json:"jurisdiction_name"`
			}
			caseworker.get("/v1/cases/"+caseID, &c)
			childID := c.ChildID
			assert.Equal(t, "山东省泰安市泰山区邱家店镇邱家店村委会", c.JurisdictionName)

			visit := func(who actor) namedDeadline {
				t.Helper()
				var open struct {
					Items []namedDeadline `json:"items"`
				}
				who.get("/v1/deadlines?status=open&jurisdiction="+village, &open)
				i := slices.IndexFunc(open.Items, func(d namedDeadline) bool { return d.Kind == "visit" && d.SubjectID == childID })
				require.GreaterOrEqual(t, i, 0, "the child's next visit is due: %+v", open.Items)
				return open.Items[i]
			}
			held := visit(caseworker)
			assert.Equal(t, liID, held.Owner, "the village's obligation is the director's, by name")
			assert.Equal(t, "李秀兰", held.OwnerName)

			t.Log("she leaves; the post is vacant; a new director takes it")
			admin.post("/v1/workers/"+liID+"/deactivation", map[string]any{"occurred_at": rfc(now()), "reason": "外出务工"})
			s.refused(request{method: http.MethodGet, path: "/v1/deadlines", token: li.token}, http.StatusUnauthorized)
			vacant := visit(caseworker)
			assert.Equal(t, "child_director:"+village, vacant.Owner)
			assert.True(t, vacant.Vacant)
			zhaoID := register("赵丽", "child_director", village)
			taken := visit(caseworker)
			assert.Equal(t, zhaoID, taken.Owner)
			assert.Equal(t, "赵丽", taken.OwnerName)

			var coverage struct {
				Items []struct {
					Jurisdiction string `json:"jurisdiction"`
					WorkerID     string `json:"worker_id"`
					Vacant       bool   `json:"vacant"`
				} `json:"items"`
			}
			caseworker.get("/v1/coverage?jurisdiction="+township+"&limit=100", &coverage)
			assert.Len(t, coverage.Items, 45, "邱家店镇 and its 44 villages")
			for _, it := range coverage.Items {
				if it.Jurisdiction == village {
					assert.Equal(t, zhaoID, it.WorkerID)
				} else {
					assert.True(t, it.Vacant, it.Jurisdiction)
				}
			}

			t.Log("a wrong entry is corrected; the original stays")
			received := report.Events[len(report.Events)-1].GlobalPosition
			corrected := caseworker.post("/v1/cases/"+caseID+"/corrections", map[string]any{
				"corrects_position": received,
				"fields":            map[string]any{"summary": "走访发现儿童独自居住两天"}, "reason": "天数记错",
			})
			correctedAt := corrected.last()
			wantChange := correctionChange{Field: "summary", Original: "走访发现儿童独自居住三天", Corrected: "走访发现儿童独自居住两天"}
			bothEntries := func(where string, items []timelineEntry) {
				t.Helper()
				var original, correction *timelineEntry
				for i := range items {
					switch items[i].GlobalPosition {
					case received:
						original = &items[i]
					case correctedAt:
						correction = &items[i]
					}
				}
				require.NotNil(t, original, "%s: the original entry stays", where)
				require.NotNil(t, correction, "%s: the correction is beside it", where)
				assert.Contains(t, original.Summary, "收到报告", where)
				require.NotNil(t, correction.Correction, where)
				assert.Equal(t, received, correction.Correction.CorrectsPosition, where)
				assert.Equal(t, []correctionChange{wantChange}, correction.Correction.Changes, "%s: both values", where)
				require.NotNil(t, correction.Correction.DelayHours, "%s: with the delay", where)
				assert.InDelta(t, correction.RecordedAt.Sub(original.RecordedAt).Hours(), *correction.Correction.DelayHours, 1.0/60, where)
				assert.Contains(t, correction.Summary, "情况摘要由「走访发现儿童独自居住三天」改为「走访发现儿童独自居住两天」", where)
				assert.Contains(t, correction.Summary, "小时后更正", where)
			}
			var tl struct {
				Items []timelineEntry `json:"items"`
			}
			caseworker.get("/v1/cases/"+caseID+"/timeline", &tl)
			bothEntries("the case's timeline", tl.Items)
			caseworker.get("/v1/children/"+childID+"/timeline", &tl)
			bothEntries("the child's timeline", tl.Items)

			t.Log("an inquiry; its report names both directors and the vacancy between, and shows the correction")
			inquiryID := inspector.command(http.MethodPost, "/v1/inquiries", map[string]any{
				"child_id": childID, "incident_at": rfc(now().Add(-30 * time.Minute)), "reason": "儿童独居，倒查责任",
			}, http.StatusCreated).ID
			var rep struct {
				Deadlines []traceDeadline `json:"deadlines"`
				Workers   map[string]struct {
					Name string `json:"name"`
				} `json:"workers"`
				People []struct {
					Name string `json:"name"`
				} `json:"people"`
				Places      map[string]string `json:"places"`
				Timeline    []timelineEntry   `json:"timeline"`
				Corrections []struct {
					Position            int64              `json:"position"`
					CorrectsPosition    int64              `json:"corrects_position"`
					CorrectedRecordedAt *time.Time         `json:"corrected_recorded_at"`
					DelayHours          float64            `json:"delay_hours"`
					Changes             []correctionChange `json:"changes"`
				} `json:"corrections"`
			}
			inspector.get("/v1/inquiries/"+inquiryID+"/report", &rep)
			i := slices.IndexFunc(rep.Deadlines, func(d traceDeadline) bool { return d.Kind == "visit" })
			require.GreaterOrEqual(t, i, 0)
			var owners []string
			for _, o := range rep.Deadlines[i].Owners {
				if o.Vacant {
					owners = append(owners, "vacant")
				} else {
					owners = append(owners, rep.Workers[o.Owner].Name)
				}
			}
			assert.Equal(t, []string{"李秀兰", "vacant", "赵丽"}, owners, "the report names both directors, and the vacancy between")
			var people []string
			for _, p := range rep.People {
				people = append(people, p.Name)
			}
			assert.Subset(t, people, []string{"李秀兰", "赵丽"})
			assert.Equal(t, "山东省泰安市泰山区邱家店镇邱家店村委会", rep.Places[village])
			require.Len(t, rep.Corrections, 1)
			assert.Equal(t, correctedAt, rep.Corrections[0].Position)
			assert.Equal(t, received, rep.Corrections[0].CorrectsPosition)
			assert.Equal(t, []correctionChange{wantChange}, rep.Corrections[0].Changes, "the report shows both values")
			require.NotNil(t, rep.Corrections[0].CorrectedRecordedAt)
			assert.GreaterOrEqual(t, rep.Corrections[0].DelayHours, 0.0)
			bothEntries("the report's timeline", rep.Timeline)

			t.Log("the child's data cannot be erased while the case is open and the inquiry runs")
			held409 := s.refused(request{method: http.MethodPost, path: "/v1/children/" + childID + "/erasure", token: admin.token,
				body: map[string]any{"reason": "监护人申请删除"}}, http.StatusConflict)
			assert.Contains(t, held409.Detail, "legal hold")
			assert.Contains(t, held409.Detail, "case "+caseID+" is open")
			assert.Contains(t, held409.Detail, "inquiry "+inquiryID+" is open")

			t.Log("the child moves to the next county; the case follows")
			caseworker.post("/v1/cases/"+caseID+"/transfer", map[string]any{
				"occurred_at": rfc(now()), "jurisdiction": otherPlace + "101201", "reason": "随母迁居岱岳区",
			})
			next := as("caseworker", otherPlace, "caseworker-next-county")
			var moved struct {
				JurisdictionName string `json:"jurisdiction_name"`
			}
			next.get("/v1/cases/"+caseID, &moved)
			assert.Equal(t, "山东省泰安市岱岳区祝阳镇祝阳村委会", moved.JurisdictionName)
			assert.Equal(t, http.StatusNotFound, caseworker.try("/v1/cases/"+caseID).status, "no longer the old county's")
		})
	}
}

// namedDeadline is a deadline with its named owner (API.md: owner_name,
// vacant).
type namedDeadline struct {
	Kind      string `json:"kind"`
	SubjectID string `json:"subject_id"`
	Owner     string `json:"owner"`
	OwnerName string `json:"owner_name"`
	Vacant    bool   `json:"vacant"`
}

// timelineEntry is an entry of a timeline (API.md "Timeline"), with what
// a correction corrected.
type timelineEntry struct {
	Type           string    `json:"type"`
	RecordedAt     time.Time `json:"recorded_at"`
	GlobalPosition int64     `json:"global_position"`
	Summary        string    `json:"summary"`
	Correction     *struct {
		CorrectsPosition int64              `json:"corrects_position"`
		DelayHours       *float64           `json:"delay_hours"`
		Changes          []correctionChange `json:"changes"`
	} `json:"correction"`
}

// correctionChange is a corrected field with its original and corrected
// value (here texts).
type correctionChange struct {
	Field     string `json:"field"`
	Original  string `json:"original"`
	Corrected string `json:"corrected"`
}

// traceDeadline is a deadline of the report with its owners over time.
type traceDeadline struct {
	Kind   string `json:"kind"`
	Owners []struct {
		Owner  string `json:"owner"`
		Vacant bool   `json:"vacant"`
	} `json:"owners"`
}
