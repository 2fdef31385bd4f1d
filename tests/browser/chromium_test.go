package browser

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumNames are the names Chromium goes by on PATH.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// browser starts a headless Chromium for the test and returns a tab's
// context. Without a Chromium the test is skipped, unless
// CARELEDGER_REQUIRE_BROWSER is set (as CI sets it), when it fails.
func browser(t *testing.T, parent context.Context) context.Context {
	t.Helper()
	path := ""
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CARELEDGER_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium on PATH (looked for chromium, chromium-browser, google-chrome, headless-shell) and CARELEDGER_REQUIRE_BROWSER is set")
		}
		t.Skip("no Chromium on PATH (apt-get install chromium fonts-noto-cjk); set CARELEDGER_REQUIRE_BROWSER=1 to fail instead")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1024), chromedp.Flag("lang", "zh-CN"), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}
