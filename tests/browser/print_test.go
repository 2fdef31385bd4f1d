package browser

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// axeSource is axe-core 4.10.3 (MPL-2.0, testdata/axe-core), the engine
// the inspector's audit used, run in the page by axeViolations.
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// watchViolations collects, from the start of every document the tab
// loads, the Content-Security-Policy violations it reports.
const watchViolations = `window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));`

// TestReportPrintsAsADocumentOfRecord: the printable report of an inquiry,
// printed to PDF on A4 by Chromium, repeats its column headers on a
// continuation page, carries the inquiry's id and 第 n 页 共 m 页 on every
// page and a missed obligation reads without colour; its 打印 button
// prints under the report's policy without a violation; axe-core finds no
// WCAG 2.1 AA violation in it, in Chinese or in English.
func TestReportPrintsAsADocumentOfRecord(t *testing.T) {
	pdftotext, pdftoppm := tool(t, "pdftotext"), tool(t, "pdftoppm")
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	tab := browser(t, ctx)
	env := apitest.Start(t, "sqlite")
	s := seedMissedPoliceReport(t, env.Store)
	h := commands.New(env.Store)
	county, err := domain.ParseJurisdiction("370902")
	require.NoError(t, err)
	cw := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: s.Worker, Role: domain.RoleCaseworker, Jurisdiction: county}}}
	// Forty visits entered days late: the late entries run over a page.
	last := s.LastPosition
	for i := range 40 {
		visit, err := h.RecordVisit(ctx, cw, commands.RecordVisit{ChildID: s.Child,
			OccurredAt: s.VisitOccurred.Add(time.Duration(i) * time.Hour), Findings: fmt.Sprintf("第%d次走访，家中无人", i+1)})
		require.NoError(t, err)
		last = visit.LastPosition()
	}
	insp := domain.Principal{Actor: domain.Actor{Subject: "督查-01", Role: domain.RoleInspector, Jurisdiction: county}}
	inq, err := h.OpenInquiry(ctx, commands.Call{Principal: insp}, commands.OpenInquiry{ChildID: s.Child, IncidentAt: s.Received.Add(3 * time.Hour), Reason: "儿童独居未报警"})
	require.NoError(t, err)
	require.NoError(t, env.Engine.WaitFor(ctx, max(last, inq.LastPosition())))
	token := env.Token("inspector", "3709", "督查-01", "")

	_, err = chromedp.Run(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchViolations}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": "Bearer " + token}})
		return err
	}))
	require.NoError(t, err)
	reportURL := env.URL + "/v1/inquiries/" + inq.ID + "/report"
	do(t, tab, chromedp.Navigate(reportURL),
		// The print script ran: it shows the button and sets the running head.
		chromedp.Poll[chromedp.Void](`!document.getElementById("print-report").hidden &&
			getComputedStyle(document.documentElement).getPropertyValue("--running-head").includes("倒查编号")`))

	// Printed on A4 as the page's @page rule says.
	pdf, err := chromedp.Run(tab, printA4())
	require.NoError(t, err)
	dir := artifacts(t)
	pdfPath := filepath.Join(dir, "report.pdf")
	require.NoError(t, os.WriteFile(pdfPath, pdf, 0o644))
	out, err := exec.Command(pdftotext, "-layout", pdfPath, "-").Output()
	require.NoError(t, err)
	pages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	require.GreaterOrEqual(t, len(pages), 3, "the report runs over pages")
	compact := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for i, p := range pages {
		c := compact(p)
		assert.Contains(t, c, inq.ID, "page %d names the inquiry", i+1)
		assert.Contains(t, c, fmt.Sprintf("第%d页共%d页", i+1, len(pages)), "page %d is numbered", i+1)
	}
	// The late entries' table starts on one page and goes on on the next,
	// which repeats its column headers (and not its caption).
	caption := "迟录条目（发生后逾时登记）（北京时间，UTC+8）"
	header := "事项发生时间登记时间迟延经办人日志位置"
	start := -1
	for i, p := range pages {
		if strings.Contains(compact(p), caption) {
			start = i
			break
		}
	}
	require.GreaterOrEqual(t, start, 0, "the late entries are printed")
	require.Less(t, start+1, len(pages))
	next := compact(pages[start+1])
	assert.Contains(t, next, header, "page %d repeats the column headers", start+2)
	assert.Regexp(t, `走访\d{4}-\d\d-\d\d`, next, "page %d goes on with the late entries", start+2)
	assert.NotContains(t, next, caption)
	second := compact(pages[1])
	assert.Regexp(t, `(事项发生时间登记时间|职责对象起算时间|发生时间登记时间事项)`, second, "page 2 opens with a table's column headers")
	assert.Contains(t, second, "第2页")
	// A missed obligation reads without colour: a mark and its word.
	assert.Contains(t, compact(string(out)), "✗"+domain.DeadlineMissed.Zh())
	// Ids are short in the tables, in full in the table of ids.
	assert.Contains(t, compact(string(out)), "…"+s.FirstCase[len(s.FirstCase)-8:])
	assert.Contains(t, compact(string(out)), s.FirstCase)
	for i := range pages {
		pngs, err := exec.Command(pdftoppm, "-png", "-r", "60", "-f", fmt.Sprint(i+1), "-l", fmt.Sprint(i+1), pdfPath, filepath.Join(dir, "report-page")).CombinedOutput()
		require.NoError(t, err, "%s", pngs)
	}
	t.Logf("printed report and its pages: %s", dir)

	// 打印 prints, and nothing was blocked by the page's policy.
	printed, err := chromedp.Run(tab, chromedp.Evaluate[int](`window.__printed = 0; window.print = () => { window.__printed++; }; 0`))
	require.NoError(t, err)
	require.Zero(t, printed)
	do(t, tab, chromedp.Click("#print-report"))
	printed, err = chromedp.Run(tab, chromedp.Evaluate[int](`window.__printed`))
	require.NoError(t, err)
	assert.Equal(t, 1, printed, "the button called window.print")
	assert.Empty(t, violations(t, tab), "no CSP violation")
	assert.Empty(t, axeViolations(t, tab), "WCAG 2.1 AA, Chinese report")

	do(t, tab, chromedp.Navigate(reportURL+"?lang=en"),
		chromedp.Poll[chromedp.Void](`!document.getElementById("print-report").hidden`))
	assert.Empty(t, violations(t, tab), "no CSP violation")
	assert.Empty(t, axeViolations(t, tab), "WCAG 2.1 AA, English report")
	pdf, err = chromedp.Run(tab, printA4())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report-en.pdf"), pdf, 0o644))
	out, err = exec.Command(pdftotext, "-layout", filepath.Join(dir, "report-en.pdf"), "-").Output()
	require.NoError(t, err)
	enPages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	assert.Contains(t, compact(enPages[1]), fmt.Sprintf("Page2of%d", len(enPages)))
	assert.Contains(t, compact(enPages[1]), "Inquiry"+inq.ID)
}

// printA4 prints the tab to PDF as the page's @page rule asks (A4).
func printA4() chromedp.Action[[]byte] {
	css := true
	return chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), func(p *page.PrintToPDFParams) { p.PreferCSSPageSize = &css })
}

// tool is a program the test needs (poppler-utils for PDFs): missing, the
// test is skipped, or fails where CARELEDGER_REQUIRE_BROWSER is set.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CARELEDGER_REQUIRE_BROWSER") != "" {
		t.Fatalf("no %s on PATH (apt-get install poppler-utils) and CARELEDGER_REQUIRE_BROWSER is set", name)
	}
	t.Skipf("no %s on PATH (apt-get install poppler-utils)", name)
	return ""
}

// artifacts is where the test leaves what it printed: CARELEDGER_SCREENSHOTS
// when set (CI keeps it), else the test's temporary directory.
func artifacts(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("CARELEDGER_SCREENSHOTS"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	return t.TempDir()
}

// violations are the CSP violations the tab's document reported.
func violations(t *testing.T, tab context.Context) []string {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`window.__violations || ["the violation watch did not run"]`))
	require.NoError(t, err)
	return v
}

// axeViolations runs axe-core in the tab with the WCAG 2.1 A and AA rules
// and returns each violation with the elements it found.
func axeViolations(t *testing.T, tab context.Context) []string {
	t.Helper()
	_, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](axeSource))
	require.NoError(t, err)
	v, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then((r) => r.violations.map((v) => v.id + ": " + v.help + " — " + v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " " + (n.failureSummary || "")).join(" | ")))`,
		chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	return v
}
