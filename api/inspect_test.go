package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// TestInspectPage: the inspectors' page is served without a token, under a
// policy that runs only the server's own script and style; its script,
// style and the domain's Chinese words are served beside it; /inspect
// redirects to /inspect/.
func TestInspectPage(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, "sqlite")

	page := env.Do("GET", "/inspect/", "", nil)
	require.Equal(t, http.StatusOK, page.Status, string(page.Body))
	assert.Contains(t, page.Header.Get("Content-Type"), "text/html")
	policy := page.Header.Get("Content-Security-Policy")
	assert.Contains(t, policy, "default-src 'none'")
	assert.Contains(t, policy, "script-src 'self';")
	assert.NotContains(t, policy, "unsafe-inline")
	assert.NotContains(t, policy, "unsafe-eval")
	assert.Equal(t, "nosniff", page.Header.Get("X-Content-Type-Options"))
	body := string(page.Body)
	assert.Contains(t, body, `<html lang="zh-CN">`)
	assert.Contains(t, body, `<script src="inspect.js" defer></script>`)
	assert.Contains(t, body, "儿童保护督查")
	assert.Empty(t, regexp.MustCompile(`<script(\s[^>]*)?>[^<]+</script>|\son[a-z]+=`).FindAllString(body, -1), "no inline script or handler")

	for path, kind := range map[string]string{"/inspect/inspect.js": "javascript", "/inspect/inspect.css": "text/css"} {
		res := env.Do("GET", path, "", nil)
		require.Equal(t, http.StatusOK, res.Status, path)
		assert.Contains(t, res.Header.Get("Content-Type"), kind, path)
		assert.NotEmpty(t, res.Body, path)
	}
	js := env.Do("GET", "/inspect/inspect.js", "", nil)
	assert.Contains(t, string(js.Body), "sessionStorage", "the token is kept for the session only")
	assert.NotContains(t, string(js.Body), "localStorage")
	css := env.Do("GET", "/inspect/inspect.css", "", nil)
	assert.Contains(t, string(css.Body), `"Noto Sans CJK SC"`, "a CJK font is named")
	assert.Equal(t, http.StatusNotFound, env.Do("GET", "/inspect/no-such-file.js", "", nil).Status)

	var words map[string]map[string]string
	res := env.Do("GET", "/inspect/words.json", "", nil)
	require.Equal(t, http.StatusOK, res.Status)
	res.JSON(t, &words)
	assert.Equal(t, domain.KindPoliceReport.Zh(), words["kinds"]["police_report"])
	assert.Equal(t, domain.DeadlineMissed.Zh(), words["statuses"]["missed"])
	assert.Equal(t, "儿童主任", words["roles"]["child_director"])
	assert.Len(t, words["kinds"], len(domain.Words[domain.DeadlineKind]()))
	assert.Equal(t, "查阅个案", words["actions"]["read_case"])
	assert.Equal(t, "就学情况", words["fields"]["schooling"], "a corrected field of the child's file")

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(env.URL + "/inspect")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.Contains(t, []int{http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect}, resp.StatusCode)
	assert.Equal(t, "/inspect/", resp.Header.Get("Location"))
}

// TestInspectPolicyAllowsTheReportStyle: the printable report, opened from a
// blob by the page, inherits the page's policy, which must allow exactly
// the report's inline style.
func TestInspectPolicyAllowsTheReportStyle(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, "sqlite")
	inspector := env.Token("inspector", "all", "insp-1", "")
	admin := env.Token("admin", "all", "admin", "")
	worker := env.Do("POST", "/v1/workers", admin, map[string]any{"name": "王芳", "role": "caseworker", "jurisdiction": "370902"})
	require.Equal(t, http.StatusCreated, worker.Status, string(worker.Body))
	var w struct{ ID string }
	worker.JSON(t, &w)
	caseworker := env.Token("caseworker", "370902", w.ID, "")
	child := env.Do("POST", "/v1/children", caseworker, map[string]any{
		"name": "小明", "birth_date": "2015-01-01", "sex": "male", "jurisdiction": "370902101201", "categories": []string{"left_behind"},
		"key_child_flags": []string{}, "guardian": map[string]any{"name": "张三", "relation": "grandfather"},
		"living_situation": "与祖父同住", "schooling": "小学", "hukou_registered": true,
	})
	require.Equal(t, http.StatusCreated, child.Status, string(child.Body))
	var c struct{ ID string }
	child.JSON(t, &c)

	report := env.Do("GET", "/v1/children/"+c.ID+"/trace", inspector, nil, "Accept", "text/html")
	require.Equal(t, http.StatusOK, report.Status, string(report.Body))
	assert.Contains(t, string(report.Body), "<dt>所在地</dt><dd>山东省泰安市泰山区邱家店镇邱家店村委会</dd>", "people read places, not digits")
	var places struct{ Places map[string]string }
	env.Do("GET", "/v1/children/"+c.ID+"/trace", inspector, nil).JSON(t, &places)
	assert.Equal(t, "山东省泰安市泰山区", places.Places["370902"])
	_, rest, ok := strings.Cut(string(report.Body), "<style>")
	require.True(t, ok)
	style, _, ok := strings.Cut(rest, "</style>")
	require.True(t, ok)
	sum := sha256.Sum256([]byte(style))
	policy := env.Do("GET", "/inspect/", "", nil).Header.Get("Content-Security-Policy")
	assert.Contains(t, policy, "style-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
}

// TestReportPagePrints: the printable report runs no inline script; its
// print button is wired by the server's own script file, which its policy
// allows; the page and the report name an icon that is served.
func TestReportPagePrints(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, "sqlite")
	inspector := env.Token("inspector", "all", "insp-1", "")
	admin := env.Token("admin", "all", "admin", "")
	worker := env.Do("POST", "/v1/workers", admin, map[string]any{"name": "王芳", "role": "caseworker", "jurisdiction": "370902"})
	require.Equal(t, http.StatusCreated, worker.Status, string(worker.Body))
	var w struct{ ID string }
	worker.JSON(t, &w)
	child := env.Do("POST", "/v1/children", env.Token("caseworker", "370902", w.ID, ""), map[string]any{
		"name": "小明", "birth_date": "2015-01-01", "sex": "male", "jurisdiction": "370902101201", "categories": []string{"left_behind"},
		"key_child_flags": []string{}, "guardian": map[string]any{"name": "张三", "relation": "grandfather"},
		"living_situation": "与祖父同住", "schooling": "小学", "hukou_registered": true,
	})
	require.Equal(t, http.StatusCreated, child.Status, string(child.Body))
	var c struct{ ID string }
	child.JSON(t, &c)

	report := env.Do("GET", "/v1/children/"+c.ID+"/trace", inspector, nil, "Accept", "text/html")
	require.Equal(t, http.StatusOK, report.Status, string(report.Body))
	policy := report.Header.Get("Content-Security-Policy")
	assert.Contains(t, policy, "script-src 'self'")
	assert.NotContains(t, policy, "unsafe-eval")
	body := string(report.Body)
	assert.NotContains(t, body, "javascript:")
	assert.Empty(t, regexp.MustCompile(`<script(\s[^>]*)?>[^<]+</script>|\son[a-z]+=`).FindAllString(body, -1), "no inline script or handler")
	assert.Contains(t, body, `<script src="/inspect/report-print.js" defer></script>`)
	assert.Contains(t, body, `<button type="button" id="print-report" hidden>打印</button>`, "shown by the script, so never a dead button")
	assert.Contains(t, body, `data-running-head="重大事件倒查报告 · 儿童 `+c.ID)
	assert.Regexp(t, `<thead><tr><th scope="col">职责</th>`, body, "column headers repeat on every printed page")
	assert.Contains(t, body, "@page {", "A4 with margins, numbered")
	assert.Contains(t, body, `counter(page) " 页 共 " counter(pages)`)

	script := env.Do("GET", "/inspect/report-print.js", "", nil)
	require.Equal(t, http.StatusOK, script.Status)
	assert.Contains(t, script.Header.Get("Content-Type"), "javascript")
	assert.Contains(t, string(script.Body), "window.print()")
	icon := env.Do("GET", "/inspect/favicon.svg", "", nil)
	require.Equal(t, http.StatusOK, icon.Status)
	assert.Contains(t, icon.Header.Get("Content-Type"), "image/svg+xml")
	assert.Contains(t, string(env.Do("GET", "/inspect/", "", nil).Body), `<link rel="icon" href="favicon.svg"`)
}

// TestInspectPageInbox: the page's inbox (待办) is a labelled table with a
// polite live region for what the notification stream brings; the script
// reads the stream with fetch (EventSource cannot send the token) and
// resumes it with Last-Event-ID; every word the page shows has a Chinese
// and an English text; the inbox's marks keep their words legible.
func TestInspectPageInbox(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, "sqlite")
	html := string(env.Do("GET", "/inspect/", "", nil).Body)
	js := string(env.Do("GET", "/inspect/inspect.js", "", nil).Body)
	css := string(env.Do("GET", "/inspect/inspect.css", "", nil).Body)

	assert.Regexp(t, `<section id="inbox"[^>]*aria-labelledby="inbox-h"`, html)
	assert.Contains(t, html, `<h2 id="inbox-h" data-i18n="inbox">待办</h2>`)
	assert.Regexp(t, `<p id="inbox-news"[^>]*role="status" aria-live="polite"`, html, "events are announced politely")
	assert.Regexp(t, `<table id="inbox-items"[^>]*>\s*<caption`, html, "the table says what it lists")
	assert.Contains(t, html, `<th scope="col" data-i18n="due">`)

	for _, want := range []string{`"/v1/notifications"`, "/v1/inbox?", `"Last-Event-ID"`, ".getReader()", "new AbortController()",
		`"text/event-stream"`, "next_cursor"} {
		assert.Contains(t, js, want)
	}
	assert.NotContains(t, js, "new EventSource", "EventSource cannot send the Authorization header")
	for _, word := range []string{`"即将到期"`, `"已升级"`, `"新待办"`, `"已逾期"`} {
		assert.Contains(t, js, word)
	}

	// Every data-i18n key of the page is a word in both languages.
	words := map[string]string{}
	for _, lang := range []string{"zh", "en"} {
		_, rest, ok := strings.Cut(js, "\n    "+lang+": {\n")
		require.True(t, ok, "the %s words", lang)
		block, _, ok := strings.Cut(rest, "\n    },")
		require.True(t, ok, "the %s words end", lang)
		words[lang] = block
	}
	keys := regexp.MustCompile(`data-i18n="([a-z_]+)"`).FindAllStringSubmatch(html, -1)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		for lang, block := range words {
			assert.True(t, regexp.MustCompile(`(^|[\s{,])`+k[1]+`: "`).MatchString(block), "%s has a %s word", k[1], lang)
		}
	}

	// The marks' words against their backgrounds: at least 4.5:1.
	for _, mark := range []string{".mark.due-soon", ".mark.escalated"} {
		fg, bg := cssColor(t, css, mark, "color"), cssColor(t, css, mark, "background")
		assert.GreaterOrEqual(t, contrast(fg, bg), 4.5, "%s: %s on %s", mark, fg, bg)
	}
}

// cssColor is a rule's colour property as #rrggbb, a var(--x) resolved
// from :root.
func cssColor(t *testing.T, css, selector, property string) string {
	t.Helper()
	rule := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(selector) + ` \{([^}]*)\}`).FindStringSubmatch(css)
	require.NotNil(t, rule, "a rule for %s", selector)
	value := regexp.MustCompile(`(?:^|;)\s*` + property + `:\s*([^;]+)`).FindStringSubmatch(rule[1])
	require.NotNil(t, value, "%s has a %s", selector, property)
	v := strings.TrimSpace(value[1])
	if name, ok := strings.CutPrefix(v, "var("); ok {
		name = strings.TrimSuffix(name, ")")
		def := regexp.MustCompile(regexp.QuoteMeta(name) + `:\s*(#[0-9a-fA-F]{6})`).FindStringSubmatch(css)
		require.NotNil(t, def, "%s is defined", name)
		v = def[1]
	}
	if v == "#fff" {
		v = "#ffffff"
	}
	require.Regexp(t, `^#[0-9a-fA-F]{6}$`, v, "%s %s", selector, property)
	return v
}

// contrast is WCAG 2.1's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	lum := func(hex string) float64 {
		var rgb [3]float64
		for i := range rgb {
			var n int
			_, _ = fmt.Sscanf(hex[1+2*i:3+2*i], "%02x", &n)
			c := float64(n) / 255
			if c <= 0.03928 {
				rgb[i] = c / 12.92
			} else {
				rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	}
	x, y := lum(a), lum(b)
	return (max(x, y) + 0.05) / (min(x, y) + 0.05)
}
