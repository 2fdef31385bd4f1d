package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/readdb"
)

// background runs a long-lived command until the test ends, returning its
// first line on stdout.
func background(t *testing.T, args ...string) (firstLine string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var logs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, pw, &logs)
		pw.Close()
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not stop\n%s", strings.Join(args, " "), logs.String())
			return nil
		}
	}
	t.Cleanup(func() {
		assert.NoError(t, stop())
		if t.Failed() {
			t.Logf("%s:\n%s", strings.Join(args, " "), logs.String())
		}
	})
	select {
	case firstLine = <-lines:
	case err := <-done:
		t.Fatalf("%s stopped: %v\n%s", strings.Join(args, " "), err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s printed nothing\n%s", strings.Join(args, " "), logs.String())
	}
	return firstLine, stop
}

// TestProjectionsRunBesideServe: 'serve --projections=external' applies no
// read model and announces new events through PostgreSQL; a worker started
// by 'projections run' catches up on what was written before it ran and
// applies what is written while it runs, until interrupted; the server's
// /readyz sees the worker's progress.
func TestProjectionsRunBesideServe(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	ctx := context.Background()
	listening, _ := background(t, "serve", "--addr", "127.0.0.1:0", "--data", dir, "--postgres", url, "--projections", "external")
	base, ok := strings.CutPrefix(listening, "careledger listening on ")
	require.True(t, ok, listening)

	_, err := loadDemo(t, "--data", dir, "--postgres", url, "--seed", "5", "--children", "30")
	require.NoError(t, err)
	store, err := (&storeFlags{data: dir, postgres: url}).open(ctx)
	require.NoError(t, err)
	defer store.Close()
	pg, ok := pool(store)
	require.True(t, ok)
	db := readdb.OpenPostgres(pg)
	defer db.Close()
	var applied int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM projection_checkpoints WHERE position > 0`).Scan(&applied))
	assert.Zero(t, applied, "the server applies no read model itself")
	require.Eventually(t, func() bool { lag := casesLag(base); return lag != "" && lag != "0" }, 10*time.Second, 20*time.Millisecond,
		"no worker runs: the server reports the case view behind")

	started, stopWorker := background(t, "projections", "run", "--data", dir, "--postgres", url)
	assert.Equal(t, "careledger projections running: cases children timeline deadlines analytics register inquiries webhooks", started)
	_, err = loadDemo(t, "--data", dir, "--postgres", url, "--seed", "6", "--children", "30", "--force")
	require.NoError(t, err)

	caughtUp := func() bool {
		head, err := store.Head(ctx)
		var n int
		if err == nil {
			err = db.QueryRow(`SELECT count(*) FROM projection_checkpoints WHERE position = $1 AND status = 'running'`, head.Position).Scan(&n)
		}
		return err == nil && n == len(projections.All())
	}
	require.Eventually(t, caughtUp, 60*time.Second, 20*time.Millisecond, "the worker applies the whole log")
	require.Eventually(t, func() bool { return casesLag(base) == "0" }, 10*time.Second, 20*time.Millisecond,
		"the server sees the worker's checkpoints")
	assert.Equal(t, http.StatusOK, get(t, base+"/readyz").StatusCode)

	all, err := store.ReadLog(ctx, 0, 0)
	require.NoError(t, err)
	cases := map[string]bool{}
	for _, e := range all {
		if e.StreamType == string(domain.StreamCase) {
			cases[e.StreamID] = true
		}
	}
	var viewed int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM rm_cases`).Scan(&viewed))
	require.NotEmpty(t, cases)
	assert.Equal(t, len(cases), viewed, "every case of the log, once, in the case view")
	assert.NoError(t, stopWorker(), "interrupted, the worker stops cleanly")
}

// get fetches a URL and keeps its body.
func get(t *testing.T, url string) *http.Response {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res
}

// casesLag is the case view's lag in events as the server's /metrics
// reports it, or "" when it does not.
func casesLag(base string) string {
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get(base + "/metrics")
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if lag, ok := strings.CutPrefix(sc.Text(), `careledger_projection_lag_events{projection="cases"} `); ok {
			return lag
		}
	}
	return ""
}

// TestProjectionWorkersNeedPostgres: on SQLite there are no separate
// projection workers, and the command says why.
func TestProjectionWorkersNeedPostgres(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	assert.ErrorContains(t, run(ctx, []string{"projections", "run", "--data", dir}, &out, &errOut), "need PostgreSQL")
	assert.ErrorContains(t, run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--projections", "external"}, &out, &errOut), "need PostgreSQL")
	assert.ErrorContains(t, run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--projections", "elsewhere"}, &out, &errOut), "in-process or external")
	errOut.Reset()
	assert.ErrorIs(t, run(ctx, []string{"projections", "run", "--help"}, &out, &errOut), flag.ErrHelp)
	assert.Contains(t, errOut.String(), "Usage: careledger projections run")
	assert.ErrorIs(t, run(ctx, []string{"projections", "replay"}, &out, &errOut), errUsage)
}

// TestReadyOnceTheClockIsApplied: a server that rebuilds its read models
// at start (the demo county leaves them empty, and its 3,400 children make
// more events than engine.DefaultRebuildBehind) answers /readyz only once
// it has brought the deadline view up to the time: no obligation due
// before the server started is still open in it. (The first Tick used to
// run during the rebuild, on the tables the rebuild then replaced, and
// the obligations past due waited for the next minute's, under load.)
func TestReadyOnceTheClockIsApplied(t *testing.T) {
	dir := t.TempDir()
	_, err := loadDemo(t, "--data", dir, "--seed", "8", "--children", "3400")
	require.NoError(t, err)
	began := time.Now()
	listening, _ := background(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	base, ok := strings.CutPrefix(listening, "careledger listening on ")
	require.True(t, ok, listening)
	require.Eventually(t, func() bool { return get(t, base+"/readyz").StatusCode == http.StatusOK }, 120*time.Second, 50*time.Millisecond)

	db, err := readdb.OpenSQLite((&storeFlags{data: dir}).viewsPath())
	require.NoError(t, err)
	defer db.Close()
	count := func(status string) (n int) {
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM rm_deadlines WHERE status = $1 AND due_at < $2`,
			status, readdb.SQLite.Time(began)).Scan(&n))
		return n
	}
	assert.Positive(t, count("missed"), "the demo county has obligations missed before the start")
	assert.Zero(t, count("open"), "none due before the start is left open once the server is ready")
}
