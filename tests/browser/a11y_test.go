package browser

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// caseRecord is what the page shows of a case's record: its obligations
// with their owners, the people involved and the timeline's entries.
type caseRecord struct {
	Heading   string          `json:"heading"`
	Deadlines []shownDeadline `json:"deadlines"`
	People    []shownPerson   `json:"people"`
	Timeline  []string        `json:"timeline"`
}

type shownDeadline struct {
	Kind  string `json:"kind"`
	Owner string `json:"owner"`
}

type shownPerson struct {
	Worker        string `json:"worker"`
	Text          string `json:"text"`
	Qualification string `json:"qualification"`
}

const readCaseRecord = `(() => {
  const q = (s) => [...document.querySelectorAll(s)];
  return {
    heading: document.getElementById("subject-title").textContent,
    deadlines: q("#deadlines tbody tr[data-kind]").map((tr) => ({kind: tr.dataset.kind, owner: tr.cells[6].textContent})),
    people: q("#people tbody tr[data-worker]").map((tr) => ({worker: tr.dataset.worker, text: tr.textContent, qualification: tr.cells[3].textContent})),
    timeline: q("#timeline tbody tr[data-position]").map((tr) => tr.textContent),
  };
})()`

// lapsedDirectorFollowsUp registers the village's director, trained two
// years ago (her yearly retraining lapsed), and has her record a follow-up
// of the case; it waits until the read models hold it and returns her id.
func lapsedDirectorFollowsUp(t *testing.T, env *apitest.Env, caseID string) string {
	t.Helper()
	ctx := context.Background()
	h := commands.New(env.Store)
	village, err := domain.ParseJurisdiction("370902101201")
	require.NoError(t, err)
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	director, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "李秀兰", Role: domain.RoleChildDirector, Jurisdiction: village})
	require.NoError(t, err)
	trained := time.Now().In(domain.ChinaStandardTime).AddDate(-2, 0, 0)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director.ID, Passed: true,
		CompletedOn: domain.NewDate(trained.Year(), trained.Month(), trained.Day())})
	require.NoError(t, err)
	as := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: director.ID, Role: domain.RoleChildDirector, Jurisdiction: village}}}
	followed, err := h.RecordFollowUp(ctx, as, commands.RecordFollowUp{CaseID: caseID, OccurredAt: time.Now(), Note: "电话回访祖母"})
	require.NoError(t, err)
	require.NoError(t, env.Engine.WaitFor(ctx, followed.LastPosition()))
	return director.ID
}

// sliderState is what the as-of slider tells a screen reader.
type sliderState struct {
	Value     string `json:"value"`
	ValueText string `json:"valueText"`
	Typed     string `json:"typed"`
}

const readSlider = `(() => { const s = document.getElementById("asof");
  return {value: s.value, valueText: s.getAttribute("aria-valuetext") || "", typed: document.getElementById("asof-at").value}; })()`

// chartCheck is what the time axis draws: each bar's fill, and the labels
// that overlap one another or leave the drawing.
type chartCheck struct {
	Fills    []string `json:"fills"`
	Overlaps []string `json:"overlaps"`
	Outside  []string `json:"outside"`
}

const checkChart = `(() => {
  const svg = document.querySelector("#axis svg");
  const width = svg.viewBox.baseVal.width;
  const labels = [...svg.querySelectorAll("text.status-text, text.late-tag, text.label")].map((e) => ({e, b: e.getBBox()}));
  const overlaps = [], outside = [];
  for (let i = 0; i < labels.length; i++) {
    const a = labels[i].b;
    if (a.x < 0 || a.x + a.width > width + 0.5) outside.push(labels[i].e.textContent);
    for (let j = i + 1; j < labels.length; j++) {
      const b = labels[j].b;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) overlaps.push(labels[i].e.textContent + " / " + labels[j].e.textContent);
    }
  }
  return {fills: [...new Set([...svg.querySelectorAll("rect.bar")].map((r) => getComputedStyle(r).fill))], overlaps, outside};
})()`

// untaggedChinese lists the Chinese text on the English page that is not
// marked lang="zh-CN".
const untaggedChinese = `(() => {
  const out = [], w = document.createTreeWalker(document.getElementById("view"), NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    if (/[\u3400-\u9fff]/.test(n.data) && n.parentElement.closest("[lang]").getAttribute("lang") !== "zh-CN") out.push(n.data);
  }
  return out;
})()`

// TestInspectPageIsAccessible: axe-core finds no WCAG 2.1 AA violation on
// /inspect/ signed out, signed in, with a child's record, after moving the
// as-of slider, after typing a time, in English, with a case's record (its
// owners by name, a lapsed director's act flagged) and with an error; the
// slider reads out a date in Beijing time and moves by an hour a key; a
// loaded record is announced and takes the focus; the chart's colours keep
// 3:1 and its labels do not collide; English marks Chinese text as
// Chinese; the icon is served and nothing breaks the page's policy.
func TestInspectPageIsAccessible(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	tab := browser(t, ctx)
	env := apitest.Start(t, "sqlite")
	s := seedMissedPoliceReport(t, env.Store)
	director := lapsedDirectorFollowsUp(t, env, s.FirstCase)
	_, err := chromedp.Run(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchViolations})
		return err
	}))
	require.NoError(t, err)
	audit := func(state string) {
		t.Helper()
		assert.Empty(t, axeViolations(t, tab), "WCAG 2.1 AA: %s", state)
	}

	do(t, tab, chromedp.Navigate(env.URL+"/inspect/"), chromedp.Poll[chromedp.Void](`document.body.dataset.ready === "true"`))
	icon, err := chromedp.Run(tab, chromedp.Evaluate[int](`fetch(document.querySelector("link[rel=icon]").href).then((r) => r.status)`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	assert.Equal(t, 200, icon, "the page's icon is served")
	audit("signed out")
	do(t, tab, chromedp.SendKeys("#token", env.Token("inspector", "3709", "督查-01", "")),
		chromedp.Click(`#signin-form button[type=submit]`), chromedp.WaitVisible("#whoami"))
	audit("signed in, with the inbox")

	openChild(t, tab, s.Child)
	focused, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.id`))
	require.NoError(t, err)
	assert.Equal(t, "subject-title", focused, "the record's heading takes the focus")
	do(t, tab, chromedp.Poll[chromedp.Void](`document.getElementById("view-status").textContent.startsWith("已加载")`))
	said, err := chromedp.Run(tab, chromedp.Text("#view-status"))
	require.NoError(t, err)
	assert.Contains(t, said, "儿童 "+s.Child)
	assert.Contains(t, said, "未履行职责 ")
	chart, err := chromedp.Run(tab, chromedp.Evaluate[chartCheck](checkChart))
	require.NoError(t, err)
	for _, fill := range chart.Fills {
		assert.GreaterOrEqual(t, contrastRGB(t, fill, "rgb(255, 255, 255)"), 3.0, "bar %s against the page", fill)
	}
	assert.Empty(t, chart.Overlaps, "labels collide")
	assert.Empty(t, chart.Outside, "labels are clipped")
	audit("a child's record")

	// The slider says a date, in Beijing time, and moves an hour a key.
	before, err := chromedp.Run(tab, chromedp.Evaluate[sliderState](readSlider))
	require.NoError(t, err)
	assertSliderSaysItsDate(t, before)
	do(t, tab, chromedp.Focus("#asof"), chromedp.KeyEvent(kb.ArrowLeft))
	after, err := chromedp.Run(tab, chromedp.Evaluate[sliderState](readSlider))
	require.NoError(t, err)
	// (The scenario was recorded seconds ago: the slider's span may be
	// shorter than the hour, and it stops at its start.)
	lowest, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("asof").min`))
	require.NoError(t, err)
	assert.Equal(t, min(int64(time.Hour/time.Millisecond), ms(t, before.Value)-ms(t, lowest)), ms(t, before.Value)-ms(t, after.Value), "an arrow key moves an hour")
	assertSliderSaysItsDate(t, after)
	do(t, tab, chromedp.Poll[chromedp.Void](`document.getElementById("view").dataset.state === "ready" && !document.getElementById("asof-label").textContent.includes("·")`))
	audit("after moving the slider")

	// A typed time, in Beijing time, moves the slider there (or to the
	// start of its span, for a time before the record began).
	typed := time.UnixMilli(ms(t, after.Value)).Add(-30 * time.Minute).In(domain.ChinaStandardTime).Truncate(time.Minute)
	want := max(typed.UnixMilli(), ms(t, lowest))
	do(t, tab, chromedp.Evaluate[chromedp.Void](`(() => { const i = document.getElementById("asof-at"); i.value = "`+typed.Format("2006-01-02T15:04")+`";
		i.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	moved, err := chromedp.Run(tab, chromedp.Evaluate[sliderState](readSlider))
	require.NoError(t, err)
	assert.Equal(t, want, ms(t, moved.Value), "the slider is at the typed time")
	assertSliderSaysItsDate(t, moved)
	audit("after typing a time")

	// English: Chinese names, places and summaries are marked as Chinese.
	do(t, tab, chromedp.Click("#lang"))
	untagged, err := chromedp.Run(tab, chromedp.Evaluate[[]string](untaggedChinese))
	require.NoError(t, err)
	assert.Empty(t, untagged, "Chinese text on the English page without lang=zh-CN")
	deadlines, err := chromedp.Run(tab, chromedp.Text("#deadlines"))
	require.NoError(t, err)
	assert.NotContains(t, deadlines, "agency:", "owners in words, not codes")
	audit("in English")
	do(t, tab, chromedp.Click("#lang"))

	// A case's record: its obligations with their owners by name, and the
	// act of a director whose yearly retraining had lapsed, flagged so in
	// the timeline and among the people.
	openSubject(t, tab, "cases", s.FirstCase)
	assert.Empty(t, errorShown(t, tab))
	record, err := chromedp.Run(tab, chromedp.Evaluate[caseRecord](readCaseRecord))
	require.NoError(t, err)
	assert.Equal(t, "个案 "+s.FirstCase, record.Heading)
	police := slices.IndexFunc(record.Deadlines, func(d shownDeadline) bool { return d.Kind == "police_report" })
	require.GreaterOrEqual(t, police, 0, "the case's police report: %+v", record.Deadlines)
	assert.Contains(t, record.Deadlines[police].Owner, "王芳", "its owner by name")
	assert.Contains(t, record.Deadlines[police].Owner, s.Worker, "and id")
	lapsed := domain.Labels[domain.Qualification]()[domain.Lapsed.String()]
	require.NotEmpty(t, lapsed)
	i := slices.IndexFunc(record.People, func(p shownPerson) bool { return p.Worker == director })
	require.GreaterOrEqual(t, i, 0, "the director among the people: %+v", record.People)
	assert.Contains(t, record.People[i].Text, "李秀兰")
	assert.Equal(t, lapsed, record.People[i].Qualification, "her qualification at the act")
	assert.True(t, slices.ContainsFunc(record.Timeline, func(e string) bool { return strings.Contains(e, "李秀兰") && strings.Contains(e, lapsed) }),
		"her follow-up, flagged %s: %v", lapsed, record.Timeline)
	audit("a case's record")

	openChild(t, tab, "no-such-child")
	audit("with an error")
	assert.Empty(t, violations(t, tab), "no CSP violation on the page")
}

// assertSliderSaysItsDate: the slider's aria-valuetext is its value as a
// date and time in Beijing time.
func assertSliderSaysItsDate(t *testing.T, s sliderState) {
	t.Helper()
	text, _, ok := strings.Cut(s.ValueText, "（")
	require.True(t, ok, "aria-valuetext %q names the time zone", s.ValueText)
	assert.Contains(t, s.ValueText, "北京时间")
	at, err := time.ParseInLocation("2006-01-02 15:04:05", text, domain.ChinaStandardTime)
	require.NoError(t, err, "aria-valuetext %q reads as a date", s.ValueText)
	assert.Equal(t, ms(t, s.Value)/1000, at.Unix(), "aria-valuetext %q is the slider's value %s", s.ValueText, s.Value)
	assert.Equal(t, at.Format("2006-01-02T15:04"), s.Typed, "the date-time input shows the same moment")
}

func ms(t *testing.T, v string) int64 {
	t.Helper()
	var n int64
	_, err := fmt.Sscan(v, &n)
	require.NoError(t, err)
	return n
}

// contrastRGB is WCAG 2.1's contrast ratio of two CSS rgb() colours.
func contrastRGB(t *testing.T, a, b string) float64 {
	t.Helper()
	lum := func(c string) float64 {
		var r, g, bl float64
		_, err := fmt.Sscanf(c, "rgb(%g, %g, %g)", &r, &g, &bl)
		require.NoError(t, err, "colour %q", c)
		ch := func(v float64) float64 {
			v /= 255
			if v <= 0.03928 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	x, y := lum(a), lum(b)
	return (max(x, y) + 0.05) / (min(x, y) + 0.05)
}
