package api

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
)

// TestUnavailableProblems: a full disk answers 503 with a problem of its
// own whose detail says that nothing was recorded and a Retry-After long
// enough for someone to free space; the other 503s keep their detail to
// the log and ask for a retry in a second.
func TestUnavailableProblems(t *testing.T) {
	t.Parallel()
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		name, typ, retryAfter, detail string
		err                           error
	}{
		{"storage full", "urn:careledger:problem:storage-full", "30",
			"the database's disk is full, so nothing was recorded; retry once space is freed, the server needs no restart (request id )",
			fmt.Errorf("append to child-1: append: %w: commit: database or disk is full (13)", commands.ErrStorageFull)},
		{"not caught up", "urn:careledger:problem:not-ready", "1", "request id ",
			fmt.Errorf("%w: position 9 not reached within 5s; retry", ErrNotReady)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			s.writeError(w, httptest.NewRequest(http.MethodPost, "/v1/children", nil), tc.err)
			require.Equal(t, http.StatusServiceUnavailable, w.Code)
			assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
			assert.Equal(t, tc.retryAfter, w.Header().Get("Retry-After"))
			var p Problem
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
			assert.Equal(t, tc.typ, p.Type)
			assert.Equal(t, http.StatusServiceUnavailable, p.Status)
			assert.Equal(t, tc.detail, p.Detail, "no internals: the driver's message stays in the log")
		})
	}
}
