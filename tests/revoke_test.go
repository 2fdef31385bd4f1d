package tests

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTokenRevoke: the real server on each backend refuses a token
// `careledger token revoke` revoked, within the 2 s a server may trust an
// earlier check, while other tokens go on working (#14, finding 9).
func TestTokenRevoke(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, b)
			lost := s.token("inspector", county, "inspector-zhao")
			kept := s.token("inspector", county, "inspector-qian")
			get := func(token string) int {
				return s.do(request{method: http.MethodGet, path: "/v1/deadlines", token: token}).status
			}
			require.Equal(t, http.StatusOK, get(lost))

			revoke := func(token string) (string, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				args := append([]string{"token", "revoke", "--token", token, "--reason", "手机遗失"}, s.storeArgs()...)
				cmd := exec.CommandContext(ctx, binary, args...)
				cmd.Env = childEnv()
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if err != nil {
					return stderr.String(), err
				}
				return strings.TrimSpace(stdout.String()), nil
			}
			id, err := revoke(lost)
			require.NoError(t, err, id)
			assert.Len(t, id, 32, "the token's id")
			again, err := revoke(lost)
			require.NoError(t, err, "revoking twice changes nothing")
			assert.Equal(t, id, again)
			out, err := revoke(lost[:len(lost)-2] + "xx")
			assert.Error(t, err, "a token this site did not issue is not taken: %s", out)

			require.Eventually(t, func() bool { return get(lost) == http.StatusUnauthorized }, 5*time.Second, 100*time.Millisecond,
				"the revoked token is refused within 2 s")
			assert.Equal(t, http.StatusOK, get(kept), "another token still works")
		})
	}
}
