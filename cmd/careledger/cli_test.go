package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// registerWorker enters a worker in the register of the store the flags
// name, as an admin would over the API, and returns its id.
func registerWorker(t *testing.T, sf storeFlags, role domain.Role, place string) string {
	t.Helper()
	ctx := context.Background()
	store, err := sf.open(ctx)
	require.NoError(t, err)
	defer store.Close()
	j, err := domain.ParseJurisdiction(place)
	require.NoError(t, err)
	admin := domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}
	res, err := commands.New(store).RegisterWorker(ctx, commands.Call{Principal: admin},
		commands.RegisterWorker{Name: "李秀兰", Role: role, Jurisdiction: j})
	require.NoError(t, err)
	return res.ID
}

// issue runs 'careledger token issue' with args and returns the token.
func issue(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"token", "issue"}, args...), &out, &errOut)
	if err != nil {
		return "", err
	}
	tok := out.String()
	require.True(t, strings.HasSuffix(tok, "\n"), "the token is printed on a line of its own")
	tok = strings.TrimSuffix(tok, "\n")
	require.NotContains(t, tok, "\n", "stdout holds the token alone")
	return tok, nil
}

// verifyToken checks a token with the key of the data directory.
func verifyToken(t *testing.T, dir, tok string) domain.Principal {
	t.Helper()
	key, err := tokenKey(dir)
	require.NoError(t, err)
	tokens, err := api.NewTokens(key, nil)
	require.NoError(t, err)
	p, err := tokens.Verify(tok)
	require.NoError(t, err)
	return p
}

// TestTokenIssue: a child director's token is issued only for a registered
// director, within the director's jurisdiction (by default exactly it);
// other roles need no register entry; a partner names its agency.
func TestTokenIssue(t *testing.T) {
	dir := t.TempDir()
	sf := storeFlags{data: dir}
	director := registerWorker(t, sf, domain.RoleChildDirector, "370902101201")
	caseworker := registerWorker(t, sf, domain.RoleCaseworker, "370902")

	t.Run("registered director, jurisdiction defaults to the director's village", func(t *testing.T) {
		tok, err := issue(t, "--data", dir, "--role", "child_director", "--subject", director)
		require.NoError(t, err)
		p := verifyToken(t, dir, tok)
		assert.Equal(t, director, p.Subject)
		assert.Equal(t, domain.RoleChildDirector, p.Role)
		assert.Equal(t, "370902101201", p.Jurisdiction.String())
	})
	t.Run("director token for an unregistered subject is refused", func(t *testing.T) {
		_, err := issue(t, "--data", dir, "--role", "child_director", "--subject", "not-a-worker", "--jurisdiction", "370902101201")
		require.Error(t, err)
		assert.ErrorContains(t, err, "not a registered worker")
	})
	t.Run("supervisor token for an unregistered subject is refused", func(t *testing.T) {
		_, err := issue(t, "--data", dir, "--role", "child_supervisor", "--subject", "not-a-worker", "--jurisdiction", "370902101")
		assert.ErrorContains(t, err, "not a registered worker")
	})
	t.Run("a caseworker may not get a director's token", func(t *testing.T) {
		_, err := issue(t, "--data", dir, "--role", "child_director", "--subject", caseworker, "--jurisdiction", "370902101201")
		assert.ErrorContains(t, err, "registered as caseworker")
	})
	t.Run("a director's token stays within the director's village", func(t *testing.T) {
		_, err := issue(t, "--data", dir, "--role", "child_director", "--subject", director, "--jurisdiction", "370902")
		assert.ErrorContains(t, err, "outside")
	})
	t.Run("inspector needs no register entry", func(t *testing.T) {
		tok, err := issue(t, "--data", dir, "--role", "inspector", "--subject", "督查员-赵", "--jurisdiction", "370902", "--ttl", "1h")
		require.NoError(t, err)
		p := verifyToken(t, dir, tok)
		assert.Equal(t, domain.RoleInspector, p.Role)
		assert.Equal(t, "督查员-赵", p.Subject)
	})
	t.Run("partner names its agency", func(t *testing.T) {
		_, err := issue(t, "--data", dir, "--role", "partner", "--subject", "edu-1", "--jurisdiction", "370902")
		assert.ErrorContains(t, err, "agency")
		tok, err := issue(t, "--data", dir, "--role", "partner", "--subject", "edu-1", "--jurisdiction", "370902", "--agency", "education")
		require.NoError(t, err)
		assert.Equal(t, "education", verifyToken(t, dir, tok).Agency.String())
	})
	for name, args := range map[string][]string{
		"no role":                  {"--subject", "x", "--jurisdiction", "all"},
		"unknown role":             {"--role", "mayor", "--subject", "x", "--jurisdiction", "all"},
		"no jurisdiction":          {"--role", "admin", "--subject", "x"},
		"bad jurisdiction":         {"--role", "admin", "--subject", "x", "--jurisdiction", "37x"},
		"non-positive ttl":         {"--role", "admin", "--subject", "x", "--jurisdiction", "all", "--ttl", "0s"},
		"an admin's ttl over 24h":  {"--role", "admin", "--subject", "x", "--jurisdiction", "all", "--ttl", "25h"},
		"a ttl over 30 days":       {"--role", "inspector", "--subject", "x", "--jurisdiction", "all", "--ttl", "721h"},
		"stray argument":           {"--role", "admin", "--subject", "x", "--jurisdiction", "all", "extra"},
		"agency for a non-partner": {"--role", "admin", "--subject", "x", "--jurisdiction", "all", "--agency", "education"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := issue(t, append([]string{"--data", dir}, args...)...)
			assert.Error(t, err)
		})
	}
}

// TestTokenIssuePostgres: with --postgres the register is read from
// PostgreSQL and the key still comes from --data.
func TestTokenIssuePostgres(t *testing.T) {
	dir := t.TempDir()
	sf := storeFlags{data: dir, postgres: pgtest.NewDatabase(t)}
	director := registerWorker(t, sf, domain.RoleChildDirector, "370902101201")
	tok, err := issue(t, "--data", dir, "--postgres", sf.postgres, "--role", "child_director", "--subject", director)
	require.NoError(t, err)
	assert.Equal(t, director, verifyToken(t, dir, tok).Subject)
	_, err = issue(t, "--data", dir, "--postgres", sf.postgres, "--role", "child_director", "--subject", "nobody", "--jurisdiction", "370902101201")
	assert.ErrorContains(t, err, "not a registered worker")
}

// TestHelp: --help on every new command and subcommand prints its usage
// and asks for exit status 0.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"token", "--help"}, {"token", "-h"}, {"token", "issue", "--help"}, {"demo", "--help"},
		{"export", "--help"}, {"export", "timeline", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, &out, &errOut)
			assert.ErrorIs(t, err, flag.ErrHelp)
			assert.Contains(t, errOut.String(), "Usage: careledger "+args[0])
		})
	}
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--help"}, &out, &errOut))
	for _, cmd := range []string{"token issue", "token revoke", "demo", "export timeline"} {
		assert.Contains(t, out.String(), cmd)
	}
	assert.ErrorIs(t, run(context.Background(), []string{"token"}, &out, &errOut), errUsage)
	assert.ErrorIs(t, run(context.Background(), []string{"export"}, &out, &errOut), errUsage)
	assert.ErrorContains(t, run(context.Background(), []string{"token", "mint"}, &out, &errOut), "unknown token command")
	assert.ErrorContains(t, run(context.Background(), []string{"token", "revoke"}, &out, &errOut), "--token and --reason are required")
	assert.ErrorContains(t, run(context.Background(), []string{"export", "ledger"}, &out, &errOut), "unknown export command")
}

// loadDemo runs 'careledger demo' and returns its summary.
func loadDemo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"demo"}, args...), &out, &errOut)
	return out.String(), err
}

// loadTime matches the part of the summary that differs between runs.
var loadTime = regexp.MustCompile(` in [0-9.]+[µm]?s:`)

// county is the part of the summary that describes the county loaded.
func county(summary string) string {
	s, _, _ := strings.Cut(loadTime.ReplaceAllString(summary, ""), "\n\n")
	return s
}

// TestDemo: the same seed makes the same county; the demo refuses a store
// that holds events unless forced; the summary counts what was written.
func TestDemo(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	first, err := loadDemo(t, "--data", a, "--seed", "7", "--children", "60")
	require.NoError(t, err)
	second, err := loadDemo(t, "--data", b, "--seed", "7", "--children", "60")
	require.NoError(t, err)
	assert.Equal(t, county(first), county(second), "the same seed makes the same county")
	assert.Contains(t, first, "children  60,")
	assert.Contains(t, first, "careledger token issue --role admin --jurisdiction all --subject admin --data "+a)

	// The summary's event count is the log's.
	ctx := context.Background()
	store, err := (&storeFlags{data: a}).open(ctx)
	require.NoError(t, err)
	head, err := store.Head(ctx)
	require.NoError(t, err)
	// Every stream the county wrote verifies.
	v, err := store.Verify(ctx)
	require.NoError(t, err)
	require.NoError(t, store.Close())
	assert.True(t, v.OK)
	assert.Regexp(t, regexp.MustCompile(` [0-9.]+[µm]?s: `+strconv.FormatInt(head.Position, 10)+` events\.`), first)

	other, err := loadDemo(t, "--data", t.TempDir(), "--seed", "8", "--children", "60")
	require.NoError(t, err)
	assert.NotEqual(t, county(first), county(other), "another seed, another county")

	_, err = loadDemo(t, "--data", a, "--seed", "9", "--children", "10")
	assert.ErrorContains(t, err, "already holds")
	_, err = loadDemo(t, "--data", a, "--seed", "9", "--children", "10", "--force")
	require.NoError(t, err)
	_, err = loadDemo(t, "--data", a, "--children", "0")
	assert.ErrorContains(t, err, "--children")
	_, err = loadDemo(t, "--data", a, "--start", "2025-13-01")
	assert.ErrorContains(t, err, "--start")
}

// firstCase returns the id of the first case in the log.
func firstCase(t *testing.T, store eventstore.Store) (string, []eventstore.Event) {
	t.Helper()
	ctx := context.Background()
	var after int64
	for {
		page, err := store.ReadLog(ctx, after, 1000)
		require.NoError(t, err)
		require.NotEmpty(t, page, "the county has no case")
		for _, e := range page {
			if id, ok := strings.CutPrefix(e.StreamID, "case-"); ok {
				events, err := store.ReadStream(ctx, e.StreamID, 0, 0)
				require.NoError(t, err)
				return id, events
			}
		}
		after = page[len(page)-1].GlobalPosition
	}
}

// TestExportTimeline: the exported timeline of a case holds exactly the
// case's events, in business-time order; --as-of hides what was recorded
// later; an unknown case is an error.
func TestExportTimeline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, err := loadDemo(t, "--data", dir, "--seed", "3", "--children", "20")
	require.NoError(t, err)
	store, err := (&storeFlags{data: dir}).open(ctx)
	require.NoError(t, err)
	caseID, events := firstCase(t, store)
	require.NoError(t, store.Close())

	export := func(args ...string) (exportedTimeline, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"export", "timeline", "--data", dir}, args...), &out, &errOut)
		var tl exportedTimeline
		if err == nil {
			require.NoError(t, json.Unmarshal(out.Bytes(), &tl), out.String())
			var raw map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(out.Bytes(), &raw))
			assert.Contains(t, raw, "as_of")
			assert.Contains(t, raw, "items")
		}
		return tl, err
	}
	tl, err := export("--case", caseID)
	require.NoError(t, err)
	require.Len(t, tl.Items, len(events))
	want := map[int64]string{}
	for _, e := range events {
		want[e.GlobalPosition] = e.Type
	}
	for i, it := range tl.Items {
		assert.Equal(t, want[it.GlobalPosition], it.Type, "item %d is an event of the case", i)
		assert.NotEmpty(t, it.Summary)
		assert.NotEmpty(t, it.Actor.Subject)
		if i > 0 {
			assert.False(t, it.OccurredAt.Before(tl.Items[i-1].OccurredAt), "business-time order")
		}
	}
	assert.Equal(t, "case.report_received", tl.Items[0].Type)

	asOf := events[0].RecordedAt.Add(-time.Second).Format(time.RFC3339Nano)
	before, err := export("--case", caseID, "--as-of", asOf)
	require.NoError(t, err)
	assert.Empty(t, before.Items, "nothing was recorded before the county was loaded")
	assert.True(t, before.AsOf.Equal(events[0].RecordedAt.Add(-time.Second)))

	_, err = export("--case", "no-such-case")
	assert.ErrorContains(t, err, "no case")
	_, err = export()
	assert.ErrorContains(t, err, "--case")
	_, err = export("--case", caseID, "--as-of", "yesterday")
	assert.ErrorContains(t, err, "--as-of")
}

// lockedBuffer is a buffer two goroutines may use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTokenAcceptedByRunningServer: while 'serve' runs on the data
// directory, tokens issued by the CLI (also a director's, which reads the
// register the server has open) are accepted; a token signed with another
// key is not.
func TestTokenAcceptedByRunningServer(t *testing.T) {
	dir := t.TempDir()
	director := registerWorker(t, storeFlags{data: dir}, domain.RoleChildDirector, "370902101201")

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var serverLog lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, pw, &serverLog)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", serverLog.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "careledger listening on "); ok {
				addr <- a
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, serverLog.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("serve printed no address\n%s", serverLog.String())
	}

	integrity := func(tok string) int {
		req, err := http.NewRequest(http.MethodGet, base+"/v1/integrity", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		client := &http.Client{Timeout: 10 * time.Second}
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		if res.StatusCode == http.StatusOK {
			var v struct {
				OK      bool  `json:"ok"`
				Checked int64 `json:"checked"`
			}
			require.NoError(t, json.NewDecoder(res.Body).Decode(&v))
			assert.True(t, v.OK)
			assert.Equal(t, int64(1), v.Checked, "the one worker registered")
		}
		return res.StatusCode
	}
	inspector, err := issue(t, "--data", dir, "--role", "inspector", "--jurisdiction", "370902", "--subject", "督查员-赵")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, integrity(inspector))

	// A director's token reads the register while the server holds the store.
	_, err = issue(t, "--data", dir, "--role", "child_director", "--subject", director)
	require.NoError(t, err)

	// Signed with another key: refused.
	otherKey := t.TempDir()
	forged, err := issue(t, "--data", otherKey, "--role", "inspector", "--jurisdiction", "370902", "--subject", "x")
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, integrity(forged))
	// An analyst may not verify the store.
	analyst, err := issue(t, "--data", dir, "--role", "analyst", "--jurisdiction", "370902", "--subject", "统计员")
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, integrity(analyst))
	_, err = os.Stat(filepath.Join(dir, "token.key"))
	assert.NoError(t, err, "the key the server and the CLI share lives in the data directory")
}
