package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/accesslog"
)

// decideOnInquiry decides on an inquiry as its stream stands and appends
// what was decided (the inquiry's findings, rectification and closing have
// no routes yet), returning the position of the last event.
func decideOnInquiry(t *testing.T, env *apitest.Env, inquiryID string, decide func(q *domain.Inquiry) error) int64 {
	t.Helper()
	ctx := context.Background()
	codec := eventlog.New()
	id := domain.InquiryStream(inquiryID)
	history, err := codec.ReadStream(ctx, env.Store, id)
	require.NoError(t, err)
	q := domain.LoadInquiry(history)
	require.NoError(t, decide(q))
	events, err := codec.Encode(q.Changes(), eventlog.Envelope{})
	require.NoError(t, err)
	stored, err := env.Store.Append(ctx, eventlog.StreamRef(id), eventstore.Exactly(q.Version()), events...)
	require.NoError(t, err)
	return stored[len(stored)-1].GlobalPosition
}

// TestReportShowsPeopleReadsCorrectionsAndFindings: the inquiry report
// names the people involved, who read the record, the corrections (each
// field with its original and corrected value, never the reason), and once recorded the
// findings, the rectification items and the closing — as JSON, with every
// jurisdiction named, and on the printable page, escaped.
func TestReportShowsPeopleReadsCorrectionsAndFindings(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		workerID := f.registerWorker("caseworker", county)
		cw := env.Token("caseworker", county, workerID, "")
		opened := answer(t, f.do("POST", "/v1/cases", cw, reportBody()), http.StatusCreated)
		caseID := opened.ID
		read := f.do("GET", "/v1/cases/"+caseID+"?min_position="+itoa(int(opened.Events[len(opened.Events)-1].GlobalPosition)), cw, nil)
		require.Equal(t, http.StatusOK, read.Status, "a read of the case: %s", read.Body)
		answer(t, f.do("POST", "/v1/cases/"+caseID+"/corrections", cw, map[string]any{
			"corrects_position": firstPosition(f, domain.CaseStream(caseID)),
			"fields":            map[string]any{"summary": "邻居来电：孩子独自在家四天"}, "reason": "李婶电话核实后更正"}), http.StatusOK)
		inspector := env.Token("inspector", county, "insp-1", "")
		inq := answer(t, f.do("POST", "/v1/inquiries", inspector, map[string]any{"case_id": caseID, "incident_at": at(-time.Hour), "reason": "儿童独居未报警"}), http.StatusCreated)

		countyCode, err := domain.ParseJurisdiction(county)
		require.NoError(t, err)
		villageCode, err := domain.ParseJurisdiction(village)
		require.NoError(t, err)
		insp := domain.Principal{Actor: domain.Actor{Subject: "insp-1", Role: domain.RoleInspector, Jurisdiction: countyCode}}
		due := time.Now().In(domain.ChinaStandardTime).AddDate(0, 0, 7)
		pos := decideOnInquiry(t, env, inq.ID, func(q *domain.Inquiry) error {
			return q.RecordFindings(insp, time.Now(), time.Now(), villageCode, domain.FindingsInput{
				Findings:         "接报后未在一小时内报告公安机关。<script>alert(1)</script>",
				Responsibilities: []domain.Responsibility{{WorkerID: workerID, Finding: "未及时报告公安"}},
				Rectifications: []domain.Rectification{{ID: "r1", Description: "组织强制报告培训", Owner: workerID,
					DueOn: domain.NewDate(due.Year(), due.Month(), due.Day())}},
			}, func(id string) bool { return id == workerID })
		})
		path := "/v1/inquiries/" + inq.ID + "/report?min_position=" + itoa(int(pos))

		var rep struct {
			People []struct {
				WorkerID         string   `json:"worker_id"`
				Name             string   `json:"name"`
				Role             string   `json:"role"`
				Jurisdiction     string   `json:"jurisdiction"`
				JurisdictionName string   `json:"jurisdiction_name"`
				Qualification    string   `json:"qualification_at_incident"`
				Involvement      []string `json:"involvement"`
			} `json:"people"`
			Reads []struct {
				Subject, Role, Action string
				CaseID                string `json:"case_id"`
			} `json:"reads"`
			Corrections []struct {
				CorrectedType string   `json:"corrected_type"`
				Fields        []string `json:"fields"`
				Changes       []struct {
					Field, Original, Corrected string
				} `json:"changes"`
			} `json:"corrections"`
			Findings *struct {
				Findings         string `json:"findings"`
				Responsibilities []struct {
					WorkerID, Name, Finding string
				} `json:"responsibilities"`
			} `json:"findings"`
			Rectifications []struct {
				ID, Owner, Status string
				OwnerName         string `json:"owner_name"`
				DueOn             string `json:"due_on"`
			} `json:"rectifications"`
			Closed *struct{ Conclusion string } `json:"closed"`
		}
		res := f.do("GET", path, inspector, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &rep)
		require.Len(t, rep.People, 1, "the one registered worker who acted")
		assert.Equal(t, workerID, rep.People[0].WorkerID)
		assert.Equal(t, "王芳", rep.People[0].Name)
		assert.Equal(t, county, rep.People[0].Jurisdiction)
		assert.Equal(t, "山东省泰安市泰山区", rep.People[0].JurisdictionName, "every jurisdiction is named")
		assert.Equal(t, "qualified", rep.People[0].Qualification)
		assert.Contains(t, rep.People[0].Involvement, "actor")
		assert.Contains(t, rep.People[0].Involvement, "responsible")
		var readCase bool
		for _, r := range rep.Reads {
			readCase = readCase || (r.Subject == workerID && r.Action == accesslog.ActionReadCase && r.CaseID == caseID)
		}
		assert.True(t, readCase, "the caseworker's read of the case: %+v", rep.Reads)
		require.Len(t, rep.Corrections, 1)
		assert.Equal(t, []string{"summary"}, rep.Corrections[0].Fields)
		require.Len(t, rep.Corrections[0].Changes, 1)
		assert.Equal(t, "邻居来电：孩子独自在家三天", rep.Corrections[0].Changes[0].Original, "the original stays")
		assert.Equal(t, "邻居来电：孩子独自在家四天", rep.Corrections[0].Changes[0].Corrected)
		assert.NotContains(t, string(res.Body), "李婶电话核实", "a correction's reason stays out")
		require.NotNil(t, rep.Findings)
		assert.Contains(t, rep.Findings.Findings, "接报后未在一小时内报告公安机关")
		require.Len(t, rep.Findings.Responsibilities, 1)
		assert.Equal(t, "王芳", rep.Findings.Responsibilities[0].Name)
		require.Len(t, rep.Rectifications, 1)
		assert.Equal(t, "open", rep.Rectifications[0].Status)
		assert.Equal(t, "王芳", rep.Rectifications[0].OwnerName)
		assert.Nil(t, rep.Closed)

		page := f.do("GET", path, inspector, nil, "Accept", "text/html")
		require.Equal(t, http.StatusOK, page.Status, string(page.Body))
		body := string(page.Body)
		for _, want := range []string{
			"<h2>相关人员</h2>", "王芳 <span class=\"id\" title=\"" + workerID + "\">…" + workerID[len(workerID)-8:] + "</span>", "培训合格", "经办",
			"<h2>查阅记录</h2>", accesslog.ZhAction(accesslog.ActionReadCase),
			"<h2>更正记录</h2>", domain.ZhEventType("case.report_received") + "（日志位置 ", "原条目保留不变",
			"情况摘要：「邻居来电：孩子独自在家三天」→「邻居来电：孩子独自在家四天」",
			"<h2>倒查结论</h2>", "接报后未在一小时内报告公安机关。&lt;script&gt;alert(1)&lt;/script&gt;", "未及时报告公安",
			"<h3>整改事项</h3>", "组织强制报告培训", domain.DeadlineOpen.Zh(), "尚未结案",
			"校验至日志位置 ", "本次重算事件数 ", "最近一次全量校验完成于 ", "下一次全量校验时发现",
		} {
			assert.Contains(t, body, want)
		}
		assert.NotContains(t, body, "<script>alert(1)</script>", "the findings are escaped")
		assert.NotContains(t, body, "李婶电话核实")
		assert.Less(t, strings.Index(body, "<h2>倒查结论</h2>"), strings.Index(body, "<h2>职责时限</h2>"), "the outcome comes first")

		// The item is done and the inquiry closed.
		pos = decideOnInquiry(t, env, inq.ID, func(q *domain.Inquiry) error {
			if err := q.CompleteRectification(insp, time.Now(), time.Now(), "r1", "已培训"); err != nil {
				return err
			}
			return q.Close(insp, time.Now(), time.Now(), "整改到位，结案。")
		})
		page = f.do("GET", "/v1/inquiries/"+inq.ID+"/report?min_position="+itoa(int(pos)), inspector, nil, "Accept", "text/html")
		require.Equal(t, http.StatusOK, page.Status, string(page.Body))
		body = string(page.Body)
		assert.Contains(t, body, "<h3>倒查结案</h3>")
		assert.Contains(t, body, "整改到位，结案。")
		assert.Contains(t, body, `<tr class="met"><td>r1</td>`)
		assert.NotContains(t, body, "尚未结案")

		en := f.do("GET", "/v1/inquiries/"+inq.ID+"/report?lang=en", inspector, nil, "Accept", "text/html")
		require.Equal(t, http.StatusOK, en.Status)
		for _, want := range []string{"People involved", "Reads of the record", "Corrections", "Findings", "Rectification items", "Closing",
			"verified up to log position ", "events re-hashed now ", "last walk of the whole log ended "} {
			assert.Contains(t, string(en.Body), want)
		}
	})
}
