package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// TestHeadAndVerify: an anchor printed by 'head' verifies; after events are
// added it still verifies; the seal key is kept in the data directory with
// mode 0600 and reused.
func TestHeadAndVerify(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sf := storeFlags{data: dir}
	store, err := sf.open(ctx)
	require.NoError(t, err)
	for i := range 3 {
		_, err := store.Append(ctx, eventstore.StreamRef{ID: "case-1", Type: "case"}, eventstore.Exactly(int64(i)),
			eventstore.NewEvent{Type: "case.noted", SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: time.Now()})
		require.NoError(t, err)
	}
	require.NoError(t, store.Close())

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"head", "--data", dir}, &out, &out))
	var head struct {
		Position int64  `json:"position"`
		Anchor   string `json:"anchor"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &head))
	assert.Equal(t, int64(3), head.Position)

	out.Reset()
	require.NoError(t, run(ctx, []string{"verify", "--data", dir, "--anchor", head.Anchor}, &out, &out))
	var v eventstore.Verification
	require.NoError(t, json.Unmarshal(out.Bytes(), &v))
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 3}, v)

	info, err := statMode(filepath.Join(dir, "seal.key"))
	require.NoError(t, err)
	assert.Equal(t, "-rw-------", info)

	// An anchor that the log does not hold makes verify fail with status 1.
	out.Reset()
	bogus := head.Anchor[:len(head.Anchor)-1] + "0"
	if bogus == head.Anchor {
		bogus = head.Anchor[:len(head.Anchor)-1] + "1"
	}
	err = run(ctx, []string{"verify", "--data", dir, "--anchor", bogus}, &out, &out)
	var code exitCode
	require.ErrorAs(t, err, &code)
	assert.Equal(t, exitCode(1), code)
}

func TestUsageErrors(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	assert.ErrorIs(t, run(ctx, nil, &out, &out), errUsage)
	assert.ErrorIs(t, run(ctx, []string{"verify", "--help"}, &out, &out), flag.ErrHelp)
	assert.ErrorContains(t, run(ctx, []string{"nonsense"}, &out, &out), "unknown command")
	assert.ErrorContains(t, run(ctx, []string{"verify", "--anchor", "x"}, &out, &out), "POSITION:HASH")
	assert.ErrorContains(t, run(ctx, []string{"verify", "--anchor", "3:zz"}, &out, &out), "hash")
}

// statMode returns a file's permission bits as ls prints them.
func statMode(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	return info.Mode().String(), nil
}

// TestProjectionsRebuild: the command rebuilds every read model from the
// log and prints each one's position.
func TestProjectionsRebuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sf := storeFlags{data: dir}
	store, err := sf.open(ctx)
	require.NoError(t, err)
	_, err = store.Append(ctx, eventstore.StreamRef{ID: "worker-1", Type: "worker"}, eventstore.NoStream,
		eventstore.NewEvent{Type: "worker.registered", SchemaVersion: 1,
			Data: json.RawMessage(`{"worker_id":"1","name":"王芳","role":"caseworker","jurisdiction":"370902"}`), OccurredAt: time.Now()})
	require.NoError(t, err)
	require.NoError(t, store.Close())

	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"projections", "rebuild", "--data", dir}, &out, &errOut))
	assert.Contains(t, out.String(), "cases\t1")
	assert.ErrorIs(t, run(ctx, []string{"projections"}, &out, &errOut), errUsage)
	assert.ErrorContains(t, run(ctx, []string{"projections", "rebuild", "--data", dir, "nonsense"}, &out, &errOut), "no projection named")
}
