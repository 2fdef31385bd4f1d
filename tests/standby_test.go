package tests

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// standby makes a PostgreSQL hot standby of the server CARELEDGER_TEST_POSTGRES
// names (pg_basebackup, then a postgres of its own on a free port, run as
// the postgres user) and gives the URL of dbURL's database on it, and a
// function that stops it. It stops and removes the standby when the test
// ends. It needs the
// primary's pg_hba.conf to let 127.0.0.1 replicate (.ci/run sees to it);
// without, the test is skipped, or fails under
// CARELEDGER_REQUIRE_POSTGRES_STANDBY=1.
func standby(t *testing.T, dbURL string) (string, func()) {
	t.Helper()
	bin := postgresBin(t)
	primary, err := url.Parse(dbURL)
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "careledger-standby-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o700))
	asPostgres := func(name string, args ...string) *exec.Cmd {
		if os.Getuid() != 0 {
			return exec.Command(filepath.Join(bin, name), args...)
		}
		require.NoError(t, exec.Command("chown", "postgres:postgres", dir).Run())
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...)
	}
	host, port := primary.Hostname(), primary.Port()
	if port == "" {
		port = "5432"
	}
	user := primary.User.Username()
	if user == "" {
		user = "postgres"
	}
	data := filepath.Join(dir, "data")
	out, err := asPostgres("pg_basebackup", "-h", host, "-p", port, "-U", user, "-D", data, "-R", "-X", "stream", "-c", "fast").CombinedOutput()
	if err != nil {
		if os.Getenv("CARELEDGER_REQUIRE_POSTGRES_STANDBY") == "" {
			t.Skipf("no standby (pg_basebackup: %v: %s); .ci/run lets 127.0.0.1 replicate", err, strings.TrimSpace(string(out)))
		}
		t.Fatalf("pg_basebackup: %v: %s", err, out)
	}
	// A Debian cluster keeps its configuration outside the data directory:
	// the standby gets its own.
	free := freePort(t)
	for name, text := range map[string]string{
		"postgresql.conf": fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nhot_standby = on\n", free, dir),
		"pg_hba.conf":     "local all all trust\nhost all all 127.0.0.1/32 trust\n",
		"pg_ident.conf":   "",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(data, name), []byte(text), 0o600))
	}
	if os.Getuid() == 0 {
		require.NoError(t, exec.Command("chown", "-R", "postgres:postgres", dir).Run())
	}
	out, err = asPostgres("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput()
	require.NoError(t, err, "start the standby: %s", out)
	stop := func() { _ = asPostgres("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop").Run() }
	t.Cleanup(stop)
	replica := *primary
	replica.Host = fmt.Sprintf("127.0.0.1:%d", free)
	return replica.String(), stop
}

// postgresBin is the directory of the PostgreSQL server's programs.
func postgresBin(t *testing.T) string {
	// Debian's own directory first: its PATH may hold wrappers of a few
	// programs only.
	if matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_basebackup"); len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1])
	}
	if p, err := exec.LookPath("pg_basebackup"); err == nil {
		return filepath.Dir(p)
	}
	t.Skip("no pg_basebackup: PostgreSQL's server programs are not installed")
	return ""
}

// freePort is a loopback TCP port free a moment ago.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
