package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/kurrent"
	"github.com/careledger/careledger/eventstore/kurrent/kurrenttest"
)

// TestKurrentStore: with --kurrent the commands keep the log in KurrentDB
// (here the in-process double): a worker registered there is found by
// 'token issue', and 'verify' and 'head' walk that log; a log in a
// namespace is another log; --kurrent with --postgres is refused.
func TestKurrentStore(t *testing.T) {
	ctx := context.Background()
	double := kurrenttest.New(t)
	dir := t.TempDir()
	director := registerWorker(t, storeFlags{data: dir, kurrent: double.URL()}, domain.RoleChildDirector, "370902101201")

	inKurrent := false
	for _, r := range double.Records() {
		inKurrent = inKurrent || strings.HasPrefix(r.Stream, "worker-")
	}
	assert.True(t, inKurrent, "the worker's registration is a KurrentDB event")

	tok, err := issue(t, "--data", dir, "--kurrent", double.URL(), "--role", "child_director", "--subject", director)
	require.NoError(t, err)
	assert.Equal(t, director, verifyToken(t, dir, tok).Subject)
	_, err = issue(t, "--data", t.TempDir(), "--kurrent", kurrenttest.New(t).URL(), "--role", "child_director", "--subject", director)
	assert.ErrorContains(t, err, "not a registered worker", "another KurrentDB log does not know the worker")

	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"verify", "--data", dir, "--kurrent", double.URL()}, &out, &errOut), errOut.String())
	var v eventstore.Verification
	require.NoError(t, json.Unmarshal(out.Bytes(), &v))
	assert.True(t, v.OK, v.Reason)
	assert.Positive(t, v.Checked)
	out.Reset()
	require.NoError(t, run(ctx, []string{"head", "--data", dir, "--kurrent", double.URL()}, &out, &errOut), errOut.String())
	var head eventstore.Anchor
	require.NoError(t, json.Unmarshal(out.Bytes(), &head))
	assert.Equal(t, v.Checked, head.Position)

	err = run(ctx, []string{"verify", "--data", dir, "--kurrent", double.URL(), "--postgres", "postgres://127.0.0.1/none"}, &out, &errOut)
	assert.ErrorIs(t, err, errKurrentWithPostgres)

	nsDir := t.TempDir()
	nsWorker := registerWorker(t, storeFlags{data: nsDir, kurrent: double.URL(), kurrentNamespace: "site-a"}, domain.RoleChildDirector, "370902101201")
	_, err = issue(t, "--data", nsDir, "--kurrent", double.URL(), "--kurrent-namespace", "site-a", "--role", "child_director", "--subject", nsWorker)
	assert.NoError(t, err, "the worker is in the log of namespace site-a")
	_, err = issue(t, "--data", nsDir, "--kurrent", double.URL(), "--role", "child_director", "--subject", nsWorker)
	assert.ErrorContains(t, err, "not a registered worker", "the log without a namespace, on the same server, does not hold it")

	err = run(ctx, []string{"seal-claim", "--data", dir, "--kurrent", double.URL()}, &out, &errOut)
	assert.ErrorIs(t, err, kurrent.ErrNoUnfinishedClaim, "the chain ends with a seal")
	assert.ErrorContains(t, run(ctx, []string{"seal-claim", "--data", dir}, &out, &errOut), "--kurrent is required")
}

// TestServeHoldsItsKurrentWriter: serve keeps its KurrentDB writer
// identity in the data directory, the same across restarts, and holds the
// directory's lock while it runs, so that a second serve there refuses.
func TestServeHoldsItsKurrentWriter(t *testing.T) {
	dir := t.TempDir()
	first := storeFlags{data: dir, kurrent: "esdb://127.0.0.1:1?tls=false"}
	release, err := first.holdKurrentWriter()
	require.NoError(t, err)
	assert.NotZero(t, first.kurrentWriter)

	second := first
	_, err = second.holdKurrentWriter()
	assert.ErrorContains(t, err, "another careledger serve uses the data directory")

	release()
	again := storeFlags{data: dir, kurrent: first.kurrent}
	release, err = again.holdKurrentWriter()
	require.NoError(t, err, "the lock goes with the server")
	defer release()
	assert.Equal(t, first.kurrentWriter, again.kurrentWriter, "the same writer after a restart")
	other := storeFlags{data: t.TempDir(), kurrent: first.kurrent}
	releaseOther, err := other.holdKurrentWriter()
	require.NoError(t, err)
	defer releaseOther()
	assert.NotEqual(t, first.kurrentWriter, other.kurrentWriter, "another data directory, another writer")
}

// TestDemoOnKurrent: the demo county loads into a KurrentDB log (the
// double) as into SQLite — the same county for the same seed — and the
// log verifies; the timeline export reads it back through the read
// models in SQLite.
func TestDemoOnKurrent(t *testing.T) {
	ctx := context.Background()
	double := kurrenttest.New(t)
	dir := t.TempDir()
	onKurrent, err := loadDemo(t, "--data", dir, "--kurrent", double.URL(), "--seed", "7", "--children", "30")
	require.NoError(t, err)
	onSQLite, err := loadDemo(t, "--data", t.TempDir(), "--seed", "7", "--children", "30")
	require.NoError(t, err)
	assert.Equal(t, county(onSQLite), county(onKurrent), "the same seed makes the same county on either store")

	store, err := (&storeFlags{data: dir, kurrent: double.URL()}).open(ctx)
	require.NoError(t, err)
	defer store.Close()
	v, err := store.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
	assert.Regexp(t, ` [0-9.]+[µm]?s: `+strconv.FormatInt(v.Checked, 10)+` events\.`, onKurrent)

	caseID, events := firstCase(t, store)
	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"export", "timeline", "--case", caseID, "--data", dir, "--kurrent", double.URL()}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), caseID)
	assert.NotEmpty(t, events)
}
