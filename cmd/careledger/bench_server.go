package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// output runs a subcommand of this binary on the store and returns its
// stdout; its stderr goes to log only when it fails.
func (s benchStore) output(ctx context.Context, log io.Writer, command ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, s.binary, append(command, s.args()...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		log.Write(stderr.Bytes())
		return "", fmt.Errorf("careledger %s: %w", strings.Join(command, " "), err)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// benchServer is the 'serve' process under measurement.
type benchServer struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	// profiler is the server's pprof address (http://…/debug/pprof/)
	// when it was started with one.
	profiler string
	store    benchStore
	log      *os.File      // the server's stderr
	exit     chan error    // the process's end
	ready    time.Duration // from start until /readyz answered 200

	mu     sync.Mutex
	exited error
}

// startBenchServer starts 'serve' on a loopback port the system chooses
// and waits until /readyz answers 200.
func startBenchServer(ctx context.Context, st benchStore, dir, logName string, profile bool) (*benchServer, error) {
	logFile, err := os.Create(filepath.Join(dir, logName))
	if err != nil {
		return nil, err
	}
	s := &benchServer{store: st, log: logFile, exit: make(chan error, 1)}
	args := []string{"serve", "--addr", "127.0.0.1:0"}
	if profile {
		args = append(args, "--pprof", "127.0.0.1:0")
	}
	s.cmd = exec.Command(st.binary, append(args, st.args()...)...)
	s.cmd.Stderr = logFile
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		err := s.cmd.Wait()
		s.mu.Lock()
		s.exited = fmt.Errorf("the server exited: %v", err)
		s.mu.Unlock()
		s.exit <- err
	}()
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "careledger profiler on "); ok {
			s.profiler = addr
		}
		if addr, ok := strings.CutPrefix(lines.Text(), "careledger listening on "); ok {
			s.base = addr
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if s.base == "" {
		s.stop()
		return nil, fmt.Errorf("the server did not start; its log: %s", s.tail())
	}
	for {
		if err := s.failed(); err != nil {
			return nil, fmt.Errorf("%w; its log: %s", err, s.tail())
		}
		if resp, err := http.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.ready = time.Since(began)
	return s, nil
}

// failed is why the server is no longer running, or nil.
func (s *benchServer) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exited
}

// stop ends the server (SIGINT, then SIGKILL after 20 s).
func (s *benchServer) stop() {
	if s.failed() == nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exit:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exit
		}
	}
	s.log.Close()
}

// tail is the end of the server's log.
func (s *benchServer) tail() string {
	b, _ := os.ReadFile(s.log.Name())
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// rssMB and rssPeakMB read the server's resident set (now, and its peak)
// from /proc; 0 where there is no /proc.
func (s *benchServer) rssMB() float64     { return procStatusMB(s.cmd.Process.Pid, "VmRSS:") }
func (s *benchServer) rssPeakMB() float64 { return procStatusMB(s.cmd.Process.Pid, "VmHWM:") }

func procStatusMB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// freshPostgresDatabase makes a new database on the server serverURL
// names and gives its URL and a function that drops it.
func freshPostgresDatabase(ctx context.Context, serverURL string) (drop func(), dbURL string, err error) {
	// The pool's own settings (pool_max_conns …) are for the server
	// measured; a plain connection would send them as parameters.
	adminURL, err := url.Parse(serverURL)
	if err != nil {
		return nil, "", fmt.Errorf("--postgres: %w", err)
	}
	q := adminURL.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	adminURL.RawQuery = q.Encode()
	admin, err := pgx.Connect(ctx, adminURL.String())
	if err != nil {
		return nil, "", fmt.Errorf("connect to %s: %w", redactURL(serverURL), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "careledger_bench_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return nil, "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		admin.Close(ctx)
		return nil, "", err
	}
	u.Path = "/" + name
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "bench: drop database %s: %v\n", name, err)
		}
		admin.Close(ctx)
	}
	return drop, u.String(), nil
}

// redactURL hides a URL's password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(the URL)"
	}
	return u.Redacted()
}

// cpuProfile takes a CPU profile of the server for d and writes it to
// path.
func (s *benchServer) cpuProfile(ctx context.Context, d time.Duration, path string) error {
	if s.profiler == "" {
		return fmt.Errorf("the server serves no profiler")
	}
	url := fmt.Sprintf("%sprofile?seconds=%d", s.profiler, max(1, int(d.Seconds())))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cpu profile: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("cpu profile: %w", err)
	}
	return f.Close()
}
