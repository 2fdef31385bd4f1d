package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDataFilesArePrivate: the real server on SQLite keeps the children's
// data and the keys to its own user — a data directory that exists open to
// others is tightened to 0700, and every file it makes is 0600 — and
// refuses a key file others can read, or a key that is not one (#14,
// finding 7).
func TestDataFilesArePrivate(t *testing.T) {
	t.Parallel()
	s := &server{t: t, data: t.TempDir(), log: &syncBuffer{}}
	require.NoError(t, os.Chmod(s.data, 0o755))
	s.start()
	s.token("admin", "all", "admin") // makes token.key
	s.kill()
	info, err := os.Stat(s.data)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "the data directory")
	entries, err := os.ReadDir(s.data)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		assert.Zero(t, info.Mode().Perm()&0o077, "%s is %04o", e.Name(), info.Mode().Perm())
	}

	issue := func(env ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, "token", "issue", "--role", "admin", "--jurisdiction", "all", "--subject", "a", "--data", s.data)
		cmd.Env = append(childEnv(), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.Error(t, cmd.Run())
		return stderr.String()
	}
	require.NoError(t, os.Chmod(filepath.Join(s.data, "token.key"), 0o644))
	assert.Contains(t, issue(), "chmod 600", "a key file others can read is refused")
	require.NoError(t, os.Chmod(filepath.Join(s.data, "token.key"), 0o600))
	assert.Contains(t, issue("CARELEDGER_TOKEN_KEY="+strings.Repeat("00", 32)), "full strength", "an all-zero key is refused")
}
