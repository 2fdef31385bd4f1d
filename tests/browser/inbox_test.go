package browser

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// shownInbox is what the page's inbox (待办) shows, read from its DOM.
type shownInbox struct {
	State  string      `json:"state"`
	Stream string      `json:"stream"`
	News   string      `json:"news"`
	Items  []shownItem `json:"items"`
	// Stayed is a mark the test leaves on the window: still there, the
	// page was not reloaded.
	Stayed bool `json:"stayed"`
	// NewsRole and NewsLive are the live region's role and politeness.
	NewsRole string `json:"newsRole"`
	NewsLive string `json:"newsLive"`
	// MarkContrast is the due-soon mark's text against its background.
	MarkContrast float64 `json:"markContrast"`
}

// shownItem is a row of the inbox.
type shownItem struct {
	Kind, Status, Text string
	DueSoon, Escalated bool
}

// reports are the reports after a visit the inbox lists.
func (s shownInbox) reports() []shownItem {
	var out []shownItem
	for _, it := range s.Items {
		if it.Kind == domain.KindReportAfterVisit.String() {
			out = append(out, it)
		}
	}
	return out
}

const readInbox = `(() => {
  const $ = (id) => document.getElementById(id);
  const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const mark = document.querySelector("#inbox-items .mark.due-soon");
  return {
    state: $("inbox").dataset.state, stream: $("inbox-stream").dataset.state, news: $("inbox-news").textContent,
    items: [...document.querySelectorAll("#inbox-items tbody tr[data-key]")].map((tr) => ({Kind: tr.dataset.kind, Status: tr.dataset.status,
      Text: tr.textContent, DueSoon: tr.dataset.dueSoon === "true", Escalated: tr.dataset.escalated === "true"})),
    stayed: window.careledgerStayed === true,
    newsRole: $("inbox-news").getAttribute("role"), newsLive: $("inbox-news").getAttribute("aria-live"),
    markContrast: mark ? contrast(getComputedStyle(mark).color, getComputedStyle(mark).backgroundColor) : 0,
  };
})()`

// TestInspectPageShowsTheLiveInbox: a village's director signs in on
// /inspect/ and sees her inbox; a visit that finds a child living alone
// opens the report she owes, which the page lists without a reload, in
// Chinese, marked due soon, and announces politely; when the stream drops,
// the page resumes it from the last event it saw and is told of a visit
// made meanwhile; signing out stops it.
func TestInspectPageShowsTheLiveInbox(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	tab := browser(t, ctx)
	env := apitest.Start(t, "sqlite")
	const village = "370902101201"
	admin := env.Token("admin", "all", "admin", "")
	registered := env.Do("POST", "/v1/workers", admin, map[string]any{"name": "李娟", "role": "child_director", "jurisdiction": village})
	require.Equal(t, http.StatusCreated, registered.Status, string(registered.Body))
	var worker struct{ ID string }
	registered.JSON(t, &worker)
	trained := env.Do("POST", "/v1/workers/"+worker.ID+"/training", admin, map[string]any{
		"passed": true, "completed_on": time.Now().In(domain.ChinaStandardTime).AddDate(0, 0, -5).Format(time.DateOnly)})
	require.Equal(t, http.StatusOK, trained.Status, string(trained.Body))
	director := env.Token("child_director", village, worker.ID, "")
	registerChild := func(name string) string {
		t.Helper()
		res := env.Do("POST", "/v1/children", director, map[string]any{
			"name": name, "birth_date": "2015-03-02", "sex": "male", "jurisdiction": village, "categories": []string{"left_behind"},
			"key_child_flags": []string{}, "guardian": map[string]any{"name": "张德福", "relation": "祖父"},
			"living_situation": "与祖父同住", "schooling": "小学三年级", "hukou_registered": true,
		})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var c struct{ ID string }
		res.JSON(t, &c)
		return c.ID
	}
	visit := func(child string) time.Time {
		t.Helper()
		occurred := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
		res := env.Do("POST", "/v1/children/"+child+"/visits", director, map[string]any{
			"occurred_at": occurred.In(domain.ChinaStandardTime).Format(time.RFC3339), "findings": "祖父住院，孩子独自在家",
			"concerns": []string{"living_alone"}})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		return occurred
	}
	inboxNow := func() shownInbox {
		t.Helper()
		v, err := chromedp.Run(tab, chromedp.Evaluate[shownInbox](readInbox))
		require.NoError(t, err)
		return v
	}
	// shows waits until the inbox lists the child's report and has
	// announced it.
	shows := func(child string) {
		t.Helper()
		do(t, tab, chromedp.Poll[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll("#inbox-items tbody tr[data-kind=report_after_visit]")]
			.some((tr) => tr.textContent.includes(%[1]q)) && document.getElementById("inbox-news").textContent.includes(%[1]q)`, child)))
	}
	first, second := registerChild("张小明"), registerChild("张小红")

	do(t, tab,
		chromedp.Navigate(env.URL+"/inspect/"),
		chromedp.Poll[chromedp.Void](`document.body.dataset.ready === "true"`),
		chromedp.SendKeys("#token", director),
		chromedp.Click(`#signin-form button[type=submit]`),
		chromedp.WaitVisible("#inbox"),
		chromedp.Poll[chromedp.Void](`document.getElementById("inbox").dataset.state === "ready" && document.getElementById("inbox-stream").dataset.state === "open"`),
		chromedp.Evaluate[chromedp.Void](`window.careledgerStayed = true`),
	)
	before := inboxNow()
	assert.Empty(t, before.reports(), "no report owed yet")
	assert.Len(t, before.Items, 2, "the two children's visits are owed")
	assert.Equal(t, "status", before.NewsRole, "events are announced in a live region")
	assert.Equal(t, "polite", before.NewsLive)

	cst := func(at time.Time) string { return at.In(domain.ChinaStandardTime).Format("2006-01-02 15:04") }
	occurred := visit(first)
	shows(first)
	now := inboxNow()
	assert.True(t, now.Stayed, "shown without a reload")
	require.Len(t, now.reports(), 1)
	item := now.reports()[0]
	assert.Equal(t, item, now.Items[0], "due first")
	assert.Equal(t, "report_after_visit", item.Kind)
	assert.Equal(t, "open", item.Status)
	assert.True(t, item.DueSoon)
	assert.False(t, item.Escalated)
	assert.Contains(t, item.Text, domain.KindReportAfterVisit.Zh(), "the kind in Chinese")
	assert.Contains(t, item.Text, "儿童 "+first)
	assert.Contains(t, item.Text, "李娟", "the owner by name")
	assert.Contains(t, item.Text, "邱家店村委会", "the place by name")
	assert.Contains(t, item.Text, cst(occurred.Add(domain.DefaultPolicy().ReportAfterVisit.D)), "due in China Standard Time")
	assert.Contains(t, item.Text, domain.DeadlineOpen.Zh())
	assert.Contains(t, item.Text, "即将到期", "due soon, in words")
	assert.Contains(t, now.News, "新待办：")
	assert.Contains(t, now.News, domain.KindReportAfterVisit.Zh())
	assert.GreaterOrEqual(t, now.MarkContrast, 4.5, "the mark's words are legible")
	screenshot(t, tab, "inspect-inbox.png")

	// The stream drops (the server ends every stream); a visit made while
	// the page is away is told when it resumes from its last event id.
	env.Server.EndStreams()
	do(t, tab, chromedp.Poll[chromedp.Void](`document.getElementById("inbox-stream").dataset.state !== "open"`))
	visit(second)
	shows(second)
	resumed := inboxNow()
	assert.True(t, resumed.Stayed)
	assert.Len(t, resumed.reports(), 2)
	assert.Contains(t, resumed.News, "新待办：")

	// English on request; then signing out stops the stream and hides the inbox.
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#lang")))
	english := inboxNow()
	require.NotEmpty(t, english.Items)
	assert.Contains(t, english.Items[0].Text, "report after visit")
	assert.Contains(t, english.Items[0].Text, "due soon")
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#lang")))
	do(t, tab, chromedp.Click("#signout"))
	out := inboxNow()
	assert.Equal(t, "closed", out.Stream)
	assert.Empty(t, out.Items)
	hidden, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.getElementById("inbox").hidden`))
	require.NoError(t, err)
	assert.True(t, hidden)
}
