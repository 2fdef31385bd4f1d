package browser

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// shownInquiry is what the page shows of an inquiry's report beyond the
// trace: its outcome, the people, the corrections and the reads.
type shownInquiry struct {
	Heading        string   `json:"heading"`
	OutcomeShown   bool     `json:"outcomeShown"`
	Findings       string   `json:"findings"`
	Responsible    []string `json:"responsible"`
	Rectifications []struct {
		ID, Status, Text string
	} `json:"rectifications"`
	People      []string `json:"people"`
	PostHeader  string   `json:"postHeader"`
	Corrections []string `json:"corrections"`
	Reads       []string `json:"reads"`
	ReadsPeriod string   `json:"readsPeriod"`
}

const readInquiry = `(() => {
  const q = (s) => [...document.querySelectorAll(s)];
  return {
    heading: document.getElementById("subject-title").textContent,
    outcomeShown: !document.getElementById("outcome").hidden,
    findings: document.getElementById("findings").textContent,
    responsible: q("#responsibilities tbody tr[data-worker]").map((tr) => tr.textContent),
    rectifications: q("#rectifications tbody tr[data-id]").map((tr) => ({ID: tr.dataset.id, Status: tr.dataset.status, Text: tr.textContent})),
    people: q("#people tbody tr[data-worker]").map((tr) => tr.textContent),
    postHeader: document.getElementById("people-post").textContent,
    corrections: q("#corrections tbody tr[data-position]").map((tr) => tr.textContent),
    reads: q("#reads tbody tr[data-action]").map((tr) => tr.textContent),
    readsPeriod: document.getElementById("reads-period").textContent,
  };
})()`

// TestInspectPageShowsAnInquiry: an inspector opens an inquiry on
// /inspect/ and sees its findings, its rectification items with their
// status, the people involved, the corrections of the record (each field
// from its original value to the corrected one) and who read the child's
// file.
func TestInspectPageShowsAnInquiry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	tab := browser(t, ctx)
	env := apitest.Start(t, "sqlite")
	s := seedMissedPoliceReport(t, env.Store)
	h := commands.New(env.Store)
	county, err := domain.ParseJurisdiction("370902")
	require.NoError(t, err)
	village, err := domain.ParseJurisdiction("370902101201")
	require.NoError(t, err)
	cw := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: s.Worker, Role: domain.RoleCaseworker, Jurisdiction: county}}}
	registration, err := env.Store.ReadStream(ctx, domain.ChildStream(s.Child).String(), 0, 1)
	require.NoError(t, err)
	_, err = h.CorrectChildEntry(ctx, cw, commands.CorrectChildEntry{ChildID: s.Child, Position: registration[0].GlobalPosition,
		Fields: map[string]json.RawMessage{"schooling": json.RawMessage(`"镇中心小学三年级"`)}, Reason: "学校登记有误"})
	require.NoError(t, err)
	insp := domain.Principal{Actor: domain.Actor{Subject: "督查-01", Role: domain.RoleInspector, Jurisdiction: county}}
	inq, err := h.OpenInquiry(ctx, commands.Call{Principal: insp}, commands.OpenInquiry{ChildID: s.Child, IncidentAt: s.Received.Add(3 * time.Hour), Reason: "儿童独居未报警"})
	require.NoError(t, err)

	codec := eventlog.New()
	stream := domain.InquiryStream(inq.ID)
	history, err := codec.ReadStream(ctx, env.Store, stream)
	require.NoError(t, err)
	q := domain.LoadInquiry(history)
	due := time.Now().In(domain.ChinaStandardTime).AddDate(0, 0, 7)
	require.NoError(t, q.RecordFindings(insp, time.Now(), time.Now(), village, domain.FindingsInput{
		Findings:         "接报后未在一小时内报告公安机关。",
		Responsibilities: []domain.Responsibility{{WorkerID: s.Worker, Finding: "未及时报告公安"}},
		Rectifications:   []domain.Rectification{{ID: "r1", Description: "组织强制报告培训", Owner: s.Worker, DueOn: domain.NewDate(due.Year(), due.Month(), due.Day())}},
	}, func(id string) bool { return id == s.Worker }))
	events, err := codec.Encode(q.Changes(), eventlog.Envelope{})
	require.NoError(t, err)
	stored, err := env.Store.Append(ctx, eventlog.StreamRef(stream), eventstore.Exactly(q.Version()), events...)
	require.NoError(t, err)
	require.NoError(t, env.Engine.WaitFor(ctx, stored[len(stored)-1].GlobalPosition))
	read := env.Do("GET", "/v1/children/"+s.Child, env.Token("caseworker", "370902", s.Worker, ""), nil)
	require.Equal(t, http.StatusOK, read.Status, string(read.Body))

	do(t, tab,
		chromedp.Navigate(env.URL+"/inspect/"),
		chromedp.Poll[chromedp.Void](`document.body.dataset.ready === "true"`),
		chromedp.SendKeys("#token", env.Token("inspector", "3709", "督查-01", "")),
		chromedp.Click(`#signin-form button[type=submit]`),
		chromedp.WaitVisible("#whoami"),
		chromedp.Click(`input[name=kind][value=inquiries]`),
		chromedp.SendKeys("#subject-id", inq.ID),
		chromedp.Click("#open-button"),
		chromedp.Poll[chromedp.Void](`["ready", "error"].includes(document.getElementById("view").dataset.state)`),
	)
	assert.Empty(t, errorShown(t, tab))
	shown, err := chromedp.Run(tab, chromedp.Evaluate[shownInquiry](readInquiry))
	require.NoError(t, err)
	assert.Equal(t, "倒查 "+inq.ID, shown.Heading)
	assert.True(t, shown.OutcomeShown)
	assert.Contains(t, shown.Findings, "接报后未在一小时内报告公安机关。")
	assert.Contains(t, shown.Findings, "尚未结案")
	require.Len(t, shown.Responsible, 1)
	assert.Contains(t, shown.Responsible[0], "王芳")
	assert.Contains(t, shown.Responsible[0], "未及时报告公安")
	require.Len(t, shown.Rectifications, 1)
	assert.Equal(t, "open", shown.Rectifications[0].Status)
	assert.Contains(t, shown.Rectifications[0].Text, "组织强制报告培训")
	assert.Contains(t, shown.Rectifications[0].Text, domain.DeadlineOpen.Zh())
	require.Len(t, shown.People, 1)
	assert.Contains(t, shown.People[0], "王芳")
	assert.Contains(t, shown.People[0], "山东省泰安市泰山区", "the post, by name")
	assert.Contains(t, shown.People[0], "经办")
	assert.Equal(t, "事发时岗位", shown.PostHeader)
	require.Len(t, shown.Corrections, 1)
	assert.Contains(t, shown.Corrections[0], "就学情况：「无」→「镇中心小学三年级」", "the field in Chinese, from the entry's value to the corrected one")
	assert.NotContains(t, shown.Corrections[0], "学校登记有误", "never the reason")
	require.NotEmpty(t, shown.Reads)
	assert.Contains(t, shown.Reads[0], "查阅儿童档案")
	assert.Contains(t, shown.Reads[0], "王芳")
	assert.Contains(t, shown.ReadsPeriod, "查阅期间")
	assert.Empty(t, axeViolations(t, tab), "WCAG 2.1 AA: an inquiry's record")
	screenshot(t, tab, "inspect-inquiry.png")
}
