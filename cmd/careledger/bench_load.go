package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/careledger/careledger/domain/divisions"
)

// benchCounty is the county the load works in: the demo county's.
const benchCounty = "370902"

// drive runs the load against the server and fills in what it measured.
func drive(ctx context.Context, srv *benchServer, others []*benchServer, c benchConfig, res *benchResult) error {
	token, err := srv.store.output(ctx, io.Discard, "token", "issue", "--role", "caseworker",
		"--jurisdiction", benchCounty, "--subject", "bench-caseworker", "--ttl", "2h")
	if err != nil {
		return err
	}
	var villages []string
	for v := range divisions.Embedded().Under(benchCounty, divisions.Village) {
		villages = append(villages, v)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.writers + c.readers + 4}, Timeout: time.Minute}
	l := &load{srv: srv, bases: []string{srv.base}, token: token, client: client, villages: villages}
	for _, o := range others {
		l.bases = append(l.bases, o.base)
	}

	loadCtx, stop := context.WithTimeout(ctx, c.duration)
	defer stop()
	lags := make(chan []float64, 1)
	go func() { lags <- l.sampleLag(loadCtx) }()
	var wg sync.WaitGroup
	commands := make([]map[string]latencies, c.writers)
	queries := make([]map[string]latencies, c.readers)
	pids := []int{srv.cmd.Process.Pid}
	for _, o := range others {
		pids = append(pids, o.cmd.Process.Pid)
	}
	cpuBefore, cpuOK := sampleCPU(pids, c.postgres != "")
	began := time.Now()
	for w := range c.writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			commands[w] = l.write(loadCtx, l.bases[w%len(l.bases)], uint64(w), writerSchedule(began, c.rate, c.writers, w))
		}()
	}
	for r := range c.readers {
		wg.Add(1)
		go func() { defer wg.Done(); queries[r] = l.read(loadCtx, l.bases[(r+1)%len(l.bases)], uint64(1000+r)) }()
	}
	wg.Wait()
	elapsed := time.Since(began)
	cpuAfter, _ := sampleCPU(pids, c.postgres != "")
	lastAck := l.lastAck()

	// Catch-up: from the last acknowledged command until every projection
	// has applied the whole log.
	for {
		m, err := l.metrics(ctx)
		if err != nil {
			return err
		}
		if m.behind == 0 {
			break
		}
		if time.Since(lastAck) > 5*time.Minute {
			return fmt.Errorf("projections still %v events behind 5 minutes after the load", m.behind)
		}
		time.Sleep(10 * time.Millisecond)
	}
	res.CatchUpSeconds = max(0, time.Since(lastAck).Seconds())

	all, byCommand := byKind(commands, commandKinds)
	res.Commands = len(all.ok)
	res.CommandsPerSecond = float64(len(all.ok)) / elapsed.Seconds()
	res.CommandP50, res.CommandP99 = all.percentile(50), all.percentile(99)
	res.CommandErrors = all.errors()
	res.CommandKinds = byCommand
	reads, byQuery := byKind(queries, queryKinds)
	res.Queries = len(reads.ok)
	res.QueryKinds = byQuery
	if cpuOK {
		res.CPU = cpuBefore.until(cpuAfter, res.Commands+res.Queries)
	}
	res.QueryP50, res.QueryP99 = reads.percentile(50), reads.percentile(99)
	res.QueryErrors = reads.errors()
	samples := <-lags
	res.LagP99, res.LagMax = percentile(samples, 99), percentile(samples, 100)
	if len(res.CommandErrors)+len(res.QueryErrors) > 0 {
		return fmt.Errorf("the server answered errors: commands %v, queries %v", res.CommandErrors, res.QueryErrors)
	}
	return nil
}

// load is what every client of one run shares.
type load struct {
	srv   *benchServer // the first server: its /metrics
	bases []string     // every server's base URL

	token    string
	client   *http.Client
	villages []string

	mu     sync.Mutex
	cases  []ownCase // every case written, for the readers
	acked  time.Time // when the last command was acknowledged
	serial int
}

// ownCase is a case a writer made, and the position its last write reached.
type ownCase struct {
	id       string
	position int64
}

func (l *load) lastAck() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked
}

// write is one writer: half new reports with a new child, half follow-ups
// of its own cases, until ctx ends. Each command waits for its time on the
// schedule (nil: none).
func (l *load) write(ctx context.Context, base string, seed uint64, schedule func() time.Duration) map[string]latencies {
	rng := rand.New(rand.NewPCG(seed, 2026))
	var own []string
	lat := map[string]latencies{}
	for ctx.Err() == nil {
		if schedule != nil {
			select {
			case <-ctx.Done():
				return lat
			case <-time.After(schedule()):
			}
		}
		kind, path := commandReport, "/v1/cases"
		var body any
		if len(own) == 0 || rng.IntN(2) == 0 {
			body = l.newReport(rng)
		} else {
			kind, path = commandFollowUp, "/v1/cases/"+own[rng.IntN(len(own))]+"/follow-ups"
			body = map[string]any{"occurred_at": time.Now().Format(time.RFC3339Nano), "note": "电话回访，儿童情况稳定"}
		}
		var answer struct {
			ID     string `json:"id"`
			Events []struct {
				GlobalPosition int64 `json:"global_position"`
			} `json:"events"`
		}
		status, took, err := l.do(ctx, base, http.MethodPost, path, body, &answer)
		if err != nil && ctx.Err() != nil {
			break // the run ended during the request (or its answer): not counted
		}
		k := lat[kind]
		k.add(status, took, err)
		lat[kind] = k
		if status/100 != 2 || len(answer.Events) == 0 {
			continue
		}
		if kind == commandReport {
			own = append(own, answer.ID)
		}
		l.mu.Lock()
		l.acked = time.Now()
		l.cases = append(l.cases, ownCase{id: answer.ID, position: answer.Events[len(answer.Events)-1].GlobalPosition})
		l.mu.Unlock()
	}
	return lat
}

// newReport is a report of a new child in one of the county's villages.
func (l *load) newReport(rng *rand.Rand) map[string]any {
	l.mu.Lock()
	l.serial++
	n := l.serial
	l.mu.Unlock()
	village := l.villages[rng.IntN(len(l.villages))]
	born := time.Date(2010+rng.IntN(12), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	return map[string]any{
		"child": map[string]any{
			"name": fmt.Sprintf("测试儿童%d", n), "birth_date": born.Format(time.DateOnly), "sex": []string{"male", "female"}[rng.IntN(2)],
			"jurisdiction": village, "categories": []string{"left_behind"}, "key_child_flags": []string{"poor_guardianship"},
			"guardian":         map[string]any{"name": "测试监护人", "relation": "祖母", "phone": "13800000000"},
			"living_situation": "与祖母同住", "schooling": "小学", "hukou_registered": true,
		},
		"source": "walk_in", "reporter": map[string]any{"type": "neighbour"}, "concerns": []string{"dropout"}, "risk": "low",
		"received_at": time.Now().Add(-time.Minute).Format(time.RFC3339Nano), "summary": "邻居反映儿童辍学在家",
	}
}

// The kinds of command a writer sends, as the result names them.
const (
	commandReport   = "report, new child"
	commandFollowUp = "follow-up"
)

var commandKinds = []string{commandReport, commandFollowUp}

// The kinds of query a reader sends, as the result names them.
const (
	queryOwnCase   = "own case (min_position)"
	queryCaseload  = "county caseload"
	queryDeadlines = "county open deadlines"
)

var queryKinds = []string{queryOwnCase, queryCaseload, queryDeadlines}

// read is one reader: the case a writer just wrote (waiting for it with
// min_position), the county's caseload or its open deadlines, in turn at
// random, until ctx ends. Its latencies are by kind of query.
func (l *load) read(ctx context.Context, base string, seed uint64) map[string]latencies {
	rng := rand.New(rand.NewPCG(seed, 2026))
	lat := map[string]latencies{}
	for ctx.Err() == nil {
		kind, path := queryCaseload, "/v1/caseload?jurisdiction="+benchCounty
		switch rng.IntN(3) {
		case 0:
			l.mu.Lock()
			var c ownCase
			if len(l.cases) > 0 {
				c = l.cases[len(l.cases)-1-rng.IntN(min(len(l.cases), 64))]
			}
			l.mu.Unlock()
			if c.id != "" {
				kind, path = queryOwnCase, "/v1/cases/"+c.id+"?min_position="+strconv.FormatInt(c.position, 10)
			}
		case 2:
			kind, path = queryDeadlines, "/v1/deadlines?status=open&jurisdiction="+benchCounty
		}
		status, took, err := l.do(ctx, base, http.MethodGet, path, nil, nil)
		if err != nil && ctx.Err() != nil {
			break
		}
		k := lat[kind]
		k.add(status, took, err)
		lat[kind] = k
	}
	return lat
}

// do sends one request and reads its whole answer.
func (l *load) do(ctx context.Context, base, method, path string, body, answer any) (status int, took time.Duration, err error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	began := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, time.Since(began), err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	took = time.Since(began)
	if err != nil {
		return resp.StatusCode, took, err
	}
	switch {
	case resp.StatusCode/100 != 2:
		err = fmt.Errorf("%s %s: %s", method, strings.SplitN(path, "?", 2)[0], bytes.TrimSpace(raw[:min(len(raw), 300)]))
	case answer != nil:
		err = json.Unmarshal(raw, answer)
	}
	return resp.StatusCode, took, err
}

// benchMetrics is what the bench reads from /metrics.
type benchMetrics struct {
	behind     float64 // events the projection furthest behind has not applied
	lagSeconds float64 // its lag in seconds
}

func (l *load) metrics(ctx context.Context) (benchMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.srv.base+"/metrics", nil)
	if err != nil {
		return benchMetrics{}, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return benchMetrics{}, fmt.Errorf("read /metrics: %w", err)
	}
	defer resp.Body.Close()
	var m benchMetrics
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		name, value, ok := metricSample(lines.Text())
		switch {
		case !ok:
		case name == "careledger_projection_lag_events":
			m.behind = max(m.behind, value)
		case name == "careledger_projection_lag_seconds":
			m.lagSeconds = max(m.lagSeconds, value)
		}
	}
	return m, lines.Err()
}

// metricSample reads one sample line of the Prometheus text format.
func metricSample(line string) (name string, value float64, ok bool) {
	if line == "" || line[0] == '#' {
		return "", 0, false
	}
	var rest string
	if i := strings.LastIndexByte(line, '}'); i >= 0 {
		name, _, _ = strings.Cut(line, "{")
		rest = line[i+1:]
	} else {
		name, rest, _ = strings.Cut(line, " ")
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
	return name, v, err == nil
}

// sampleLag reads the projections' lag in seconds every 100 ms until ctx
// ends.
func (l *load) sampleLag(ctx context.Context) []float64 {
	var samples []float64
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return samples
		case <-tick.C:
			if m, err := l.metrics(ctx); err == nil {
				samples = append(samples, m.lagSeconds)
			}
		}
	}
}

// latencies are one client's answered requests.
type latencies struct {
	ok     []float64      // milliseconds, of 2xx answers
	failed map[string]int // by status (or transport error)
}

func (l *latencies) add(status int, took time.Duration, err error) {
	if err == nil && status/100 == 2 {
		l.ok = append(l.ok, float64(took)/float64(time.Millisecond))
		return
	}
	if l.failed == nil {
		l.failed = map[string]int{}
	}
	// One entry per status: the first answer's text says why.
	for what := range l.failed {
		if strings.HasPrefix(what, strconv.Itoa(status)+" ") {
			l.failed[what]++
			return
		}
	}
	l.failed[fmt.Sprintf("%d %v", status, err)]++
}

// byKind merges the clients' latencies, each client's by kind: all of
// them, and each kind's (in the order kinds gives).
func byKind(clients []map[string]latencies, kinds []string) (latencies, []kindResult) {
	var every []latencies
	of := map[string][]latencies{}
	for _, c := range clients {
		for kind, lat := range c {
			every = append(every, lat)
			of[kind] = append(of[kind], lat)
		}
	}
	out := make([]kindResult, 0, len(kinds))
	for _, kind := range kinds {
		k := merged(of[kind])
		out = append(out, kindResult{Kind: kind, Count: len(k.ok), P50: k.percentile(50), P99: k.percentile(99)})
	}
	return merged(every), out
}

// merged is the clients' latencies together.
func merged(clients []latencies) latencies {
	var all latencies
	for _, c := range clients {
		all.ok = append(all.ok, c.ok...)
		for what, n := range c.failed {
			if all.failed == nil {
				all.failed = map[string]int{}
			}
			all.failed[what] += n
		}
	}
	return all
}

func (l latencies) percentile(p float64) float64 { return percentile(l.ok, p) }

func (l latencies) errors() map[string]int { return l.failed }

// percentile is the p-th percentile (nearest rank) of values; 0 of none.
func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// writerSchedule is writer w's share of rate commands a second among
// writers: each call waits for its next slot, every writers/rate seconds
// from began (the writers' slots spread over the interval). A writer
// behind its schedule sends at once, and skips the slots it missed rather
// than catching up in a burst, so the rate is a bound. nil when rate is 0.
func writerSchedule(began time.Time, rate float64, writers, w int) func() time.Duration {
	if rate <= 0 {
		return nil
	}
	interval := time.Duration(float64(writers) / rate * float64(time.Second))
	next := began.Add(interval * time.Duration(w) / time.Duration(writers))
	return func() time.Duration {
		now := time.Now()
		if next.Before(now) {
			next = now
		}
		wait := next.Sub(now)
		next = next.Add(interval)
		return wait
	}
}
