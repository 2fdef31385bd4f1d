package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// shownEntry is a row of the page's timeline.
type shownEntry struct {
	Position int64
	Late     bool
	Text     string
}

// printablePage is what the printable report window shows.
type printablePage struct {
	Title  string `json:"title"`
	Text   string `json:"text"`
	Header string `json:"header"`
}

// shown is what the page shows of a trace report, read from its DOM.
type shown struct {
	AsOfLabel string `json:"asOfLabel"`
	Deadlines []struct {
		Kind, Status, Case, Text string
	} `json:"deadlines"`
	Bars []struct {
		Kind, Status, Fill string
	} `json:"bars"`
	Timeline    []shownEntry `json:"timeline"`
	LateEntries []int64      `json:"lateEntries"`
	LateMarks   []int64      `json:"lateMarks"`
	Heading     string       `json:"heading"`
}

const readPage = `(() => {
  const q = (s) => [...document.querySelectorAll(s)];
  return {
    asOfLabel: document.getElementById("asof-label").textContent,
    heading: document.querySelector("h1").textContent,
    deadlines: q("#deadlines tbody tr[data-kind]").map((tr) => ({Kind: tr.dataset.kind, Status: tr.dataset.status, Case: tr.dataset.case, Text: tr.textContent})),
    bars: q("#axis rect.bar").map((r) => ({Kind: r.dataset.kind, Status: r.dataset.status, Fill: getComputedStyle(r).fill})),
    timeline: q("#timeline tbody tr[data-position]").map((tr) => ({Position: Number(tr.dataset.position), Late: tr.classList.contains("late"), Text: tr.textContent})),
    lateEntries: q("#late-entries tbody tr[data-position]").map((tr) => Number(tr.dataset.position)),
    lateMarks: q("#axis circle.late").map((c) => Number(c.dataset.position)),
  };
})()`

// TestInspectPageTracesTheChild: an inspector signs in on /inspect/, opens
// the child of the scenario and sees the missed police report in red and the
// late visit marked; moving the as-of slider to before the visit was entered
// takes the visit away; a token from elsewhere and a child outside the
// inspector's city are refused in Chinese.
func TestInspectPageTracesTheChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	tab := browser(t, ctx)
	env := apitest.Start(t, "sqlite")
	s := seedMissedPoliceReport(t, env.Store)
	require.NoError(t, env.Engine.WaitFor(ctx, s.LastPosition))
	inspector := env.Token("inspector", "3709", "督查-01", "")

	do(t, tab,
		chromedp.Navigate(env.URL+"/inspect/"),
		chromedp.Poll[chromedp.Void](`document.body.dataset.ready === "true"`),
		chromedp.SendKeys("#token", inspector),
		chromedp.Click(`#signin-form button[type=submit]`),
		chromedp.WaitVisible("#whoami"),
	)
	whoami, err := chromedp.Run(tab, chromedp.Text("#whoami"))
	require.NoError(t, err)
	assert.Contains(t, whoami, "督查人员 督查-01")
	assert.Contains(t, whoami, "3709")

	openChild(t, tab, s.Child)
	now := read(t, tab)
	summary, err := chromedp.Run(tab, chromedp.Text("#summary"))
	require.NoError(t, err)
	assert.Contains(t, summary, "所在地\n山东省泰安市泰山区邱家店镇邱家店村委会", "people read places, not digits")
	cst := func(at time.Time) string { return at.In(domain.ChinaStandardTime).Format("2006-01-02 15:04") }

	// The missed police report of the first case, red, in Chinese.
	var found bool
	for _, d := range now.Deadlines {
		if d.Kind == "police_report" && d.Case == s.FirstCase {
			found = true
			assert.Equal(t, "missed", d.Status)
			assert.Contains(t, d.Text, "未履行")
			assert.Contains(t, d.Text, cst(s.Received), "started when the report came in, in China Standard Time")
			assert.Contains(t, d.Text, cst(s.Received.Add(time.Hour)), "due an hour later under the policy then in force")
			assert.Contains(t, d.Text, cst(s.Received)+"起", "its owners over time, each since when")
		}
	}
	assert.True(t, found, "the first case's police report is listed: %+v", now.Deadlines)
	for _, d := range now.Deadlines {
		assert.NotContains(t, d.Text, "undefined", "every cell of %s reads its field", d.Kind)
	}
	assert.Contains(t, barFills(now, "police_report", "missed"), "rgb(198, 40, 40)", "a missed obligation is drawn red")

	// The late visit: marked on the axis, in the timeline and among the late entries.
	visit, ok := timelineRow(now, s.VisitPosition)
	require.True(t, ok, "the visit is on the timeline today")
	assert.True(t, visit.Late)
	assert.Contains(t, visit.Text, "迟录")
	assert.Contains(t, visit.Text, cst(s.VisitOccurred))
	assert.Contains(t, now.LateEntries, s.VisitPosition)
	assert.Contains(t, now.LateMarks, s.VisitPosition)
	screenshot(t, tab, "inspect-now.png")

	// As the record stood before the visit was entered.
	asOf, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("view").dataset.asOf`))
	require.NoError(t, err)
	moved, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const s = document.getElementById("asof");
		s.value = "%d";
		s.dispatchEvent(new Event("input", {bubbles: true}));
		return s.value;
	})()`, s.BeforeVisit.UnixMilli())))
	require.NoError(t, err)
	do(t, tab, chromedp.Poll[chromedp.Void](fmt.Sprintf(
		`document.getElementById("view").dataset.state === "ready" && document.getElementById("view").dataset.asOf !== %q`, asOf)))
	then := read(t, tab)
	var slid int64
	_, err = fmt.Sscan(moved, &slid)
	require.NoError(t, err)
	assert.Contains(t, then.AsOfLabel, cst(time.UnixMilli(slid)), "the as-of moment is shown in China Standard Time")
	_, ok = timelineRow(then, s.VisitPosition)
	assert.False(t, ok, "the visit was not yet on record")
	assert.NotContains(t, then.LateEntries, s.VisitPosition)
	assert.NotContains(t, then.LateMarks, s.VisitPosition)
	assert.NotEmpty(t, then.Timeline, "what was recorded before is still shown")
	assert.Contains(t, barFills(then, "police_report", "missed"), "rgb(198, 40, 40)", "already missed then")
	screenshot(t, tab, "inspect-before-visit.png")

	// The printable report of the same moment, fetched with the token and
	// opened from a blob: the page's policy lets its inline style apply.
	opened := chromedp.WaitNewTarget(tab, func(info *target.Info) bool { return info.Type == "page" })
	do(t, tab, chromedp.Click("#report"))
	var id target.ID
	select {
	case id = <-opened:
	case <-ctx.Done():
		t.Fatal("the printable report did not open")
	}
	// Attach once the tab shows the report (a blob with the report's title):
	// attaching while its document is still being built races inside
	// chromedp (Target.documentUpdated against domEvent).
	for shown := false; !shown; {
		targets, err := chromedp.Targets(tab)
		require.NoError(t, err)
		for _, info := range targets {
			shown = shown || (info.TargetID == id && strings.HasPrefix(info.URL, "blob:") && strings.Contains(info.Title, "倒查"))
		}
		if !shown {
			select {
			case <-ctx.Done():
				t.Fatal("the printable report did not show")
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	printable, closePrintable := chromedp.NewContext(tab, chromedp.WithTargetID(id))
	defer closePrintable()
	_, err = chromedp.Run(printable, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchViolations})
		return err
	}))
	require.NoError(t, err)
	chinese := pollPrintable(t, printable, "zh-CN")
	assert.Equal(t, "重大事件倒查报告", chinese.Title)
	assert.Equal(t, "rgb(238, 238, 238)", chinese.Header, "the report's own style applies")
	assert.Contains(t, chinese.Text, cst(time.UnixMilli(slid)), "the report is of the slider's moment")
	assert.Contains(t, chinese.Text, "未履行")
	// Its 打印 button: shown and wired by the server's script file, which
	// the page's policy runs in the blob too.
	require.NoError(t, chromedp.Do(printable,
		chromedp.Poll[chromedp.Void](`!document.getElementById("print-report").hidden`),
		chromedp.Evaluate[chromedp.Void](`window.__printed = 0; window.print = () => { window.__printed++; }`)))
	require.NoError(t, chromedp.Do(printable, chromedp.Click("#print-report")))
	calls, err := chromedp.Run(printable, chromedp.Evaluate[int](`window.__printed`))
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "打印 prints the report opened from the page")
	// Its English link: the blob has no address for ?lang=en to resolve
	// against; the page that opened it fetches the English report, of the
	// same moment, into the same window — and back to Chinese.
	require.NoError(t, chromedp.Do(printable, chromedp.Click("#switch-lang")))
	english := pollPrintable(t, printable, "en")
	assert.Equal(t, "Major-incident trace-back report", english.Title)
	assert.Contains(t, english.Text, cst(time.UnixMilli(slid)), "the English report is of the slider's moment")
	assert.Equal(t, "rgb(238, 238, 238)", english.Header, "the report's own style applies")
	assert.Empty(t, violations(t, printable), "no CSP violation in the English report")
	require.NoError(t, chromedp.Do(printable, chromedp.Click("#switch-lang")))
	again := pollPrintable(t, printable, "zh-CN")
	assert.Equal(t, "重大事件倒查报告", again.Title)
	assert.Contains(t, again.Text, cst(time.UnixMilli(slid)))
	assert.Empty(t, violations(t, printable), "no CSP violation in the Chinese report")
	require.NoError(t, chromedp.Cancel(printable))

	// English on request.
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#lang")))
	assert.Contains(t, read(t, tab).Heading, "inspection")
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#lang")))

	// Refusals, in Chinese: a child outside the inspector's city; a token
	// signed with another key.
	signIn(t, tab, env.Token("inspector", "3701", "督查-02", ""))
	openChild(t, tab, s.Child)
	assert.Equal(t, "未找到或不在您的辖区内", errorShown(t, tab))
	other, err := api.NewTokens([]byte("another server's token key, 32 bytes"), nil)
	require.NoError(t, err)
	forged, err := other.Issue(domain.Principal{Actor: domain.Actor{Subject: "x", Role: domain.RoleInspector, Jurisdiction: domain.All}}, time.Hour)
	require.NoError(t, err)
	signIn(t, tab, forged)
	openChild(t, tab, s.Child)
	assert.Equal(t, "令牌无效或已过期", errorShown(t, tab))
}

// pollPrintable waits until the report window shows a report from a blob
// in the language (html lang) and reads it. The tab navigates (from
// about:blank, or from the other language's blob) while it is polled; a
// poll that meets the navigation is tried again.
func pollPrintable(t *testing.T, printable context.Context, lang string) printablePage {
	t.Helper()
	ctx, cancel := context.WithTimeout(printable, 15*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`document.location.protocol === "blob:" && document.documentElement.lang === %q && document.querySelector("h1") && {
		title: document.querySelector("h1").textContent, text: document.body.textContent,
		header: getComputedStyle(document.querySelector("th")).backgroundColor}`, lang)
	for try := 0; ; try++ {
		page, err := chromedp.Run(ctx, chromedp.Poll[printablePage](expr))
		if err == nil {
			return page
		}
		if try == 9 || !navigating(err) {
			where, _ := chromedp.Run(printable, chromedp.Evaluate[string](`document.location.href + " lang=" + document.documentElement.lang`))
			t.Fatalf("the report window did not show the report in %s: %v (it shows %s)", lang, err, where)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func signIn(t *testing.T, tab context.Context, token string) {
	t.Helper()
	do(t, tab,
		chromedp.Click("#signout"),
		chromedp.SendKeys("#token", token),
		chromedp.Click(`#signin-form button[type=submit]`),
		chromedp.WaitVisible("#whoami"),
	)
}

// openChild opens a child's trace and waits until it is shown or refused.
func openChild(t *testing.T, tab context.Context, childID string) {
	t.Helper()
	openSubject(t, tab, "children", childID)
}

// openSubject opens the trace of a case ("cases") or a child ("children"),
// or an inquiry's report ("inquiries"), and waits until it is shown or
// refused.
func openSubject(t *testing.T, tab context.Context, kind, id string) {
	t.Helper()
	do(t, tab,
		chromedp.Click(`input[name=kind][value=`+kind+`]`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("subject-id").value = ""; document.getElementById("view").dataset.state = ""`),
		chromedp.SendKeys("#subject-id", id),
		chromedp.Click("#open-button"),
		chromedp.Poll[chromedp.Void](`["ready", "error"].includes(document.getElementById("view").dataset.state)`),
	)
}

// do runs the steps; when one fails it says what the page showed.
func do(t *testing.T, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	err := chromedp.Do(tab, steps...)
	if err == nil {
		return
	}
	state, _ := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify({state: document.getElementById("view").dataset.state,
		error: document.getElementById("error").textContent, asOf: document.getElementById("view").dataset.asOf,
		slider: [document.getElementById("asof").min, document.getElementById("asof").value, document.getElementById("asof").max]})`))
	t.Fatalf("%v; the page shows %s", err, state)
}

func read(t *testing.T, tab context.Context) shown {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[shown](readPage))
	require.NoError(t, err)
	return v
}

func errorShown(t *testing.T, tab context.Context) string {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => { const e = document.getElementById("error"); return e.hidden ? "" : e.textContent; })()`))
	require.NoError(t, err)
	return v
}

func barFills(s shown, kind, status string) []string {
	var out []string
	for _, b := range s.Bars {
		if b.Kind == kind && b.Status == status {
			out = append(out, b.Fill)
		}
	}
	return out
}

func timelineRow(s shown, position int64) (shownEntry, bool) {
	for _, r := range s.Timeline {
		if r.Position == position {
			return r, true
		}
	}
	return shownEntry{}, false
}

// screenshot saves the whole page where the test leaves what it printed
// (artifacts: CARELEDGER_SCREENSHOTS, or the test's temporary directory).
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path := filepath.Join(artifacts(t), name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// navigating reports whether a CDP call failed because the page's
// JavaScript context went away under it (the page navigated meanwhile).
func navigating(err error) bool {
	return strings.Contains(err.Error(), "Execution context was destroyed") ||
		strings.Contains(err.Error(), "Cannot find context with specified id") ||
		strings.Contains(err.Error(), "Inspected target navigated or closed")
}
