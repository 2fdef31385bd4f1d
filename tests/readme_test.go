package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeWalkThrough runs the README's curl walk-through, as printed,
// against the real server (SQLite), so that the README stays true. It
// needs bash, curl (with --json) and jq, and skips without them.
func TestReadmeWalkThrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the walk-through needs %s", tool)
		}
	}
	if out, err := exec.Command("curl", "--help", "all").Output(); err != nil || !strings.Contains(string(out), "--json") {
		t.Skip("the walk-through needs a curl with --json (7.82 or later)")
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	text := string(readme)
	at := strings.Index(text, "## A case from report to follow-up, with curl")
	require.GreaterOrEqual(t, at, 0, "the README has the walk-through")
	start := strings.Index(text[at:], "```sh\n")
	require.GreaterOrEqual(t, start, 0)
	script := text[at+start+len("```sh\n"):]
	script = script[:strings.Index(script, "```")]

	s := startServer(t, backends[0])
	const alias = "alias careledger='go run ./cmd/careledger'"
	require.Contains(t, script, alias)
	require.Contains(t, script, "B=http://127.0.0.1:8080")
	script = strings.Replace(script, alias, "alias careledger='"+binary+" '", 1)
	script = strings.Replace(script, "B=http://127.0.0.1:8080", "B="+s.base, 1)

	dir := t.TempDir()
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-O", "expand_aliases", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(childEnv(), "CARELEDGER_DATA="+s.data)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	got := string(out)
	assert.NotContains(t, got, "problem", "no command is refused")
	assert.Contains(t, got, `"status": "closed"`)
	assert.Contains(t, got, "结案：回归家庭")
	assert.Contains(t, got, `"ok":true`)
	assert.Contains(t, got, `{"kind":"police_report"`)
	assert.Contains(t, got, `"owner_name":"李娟"`, "the village's obligations are the director's, by name")
	assert.Contains(t, got, " qualified\n", "every act carries its actor's qualification")
	report, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(report), "重大事件倒查报告")
}
