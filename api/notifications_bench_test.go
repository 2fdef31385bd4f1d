package api_test

import (
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/careledger/careledger/api/apitest"
)

// BenchmarkNotificationFanOut measures what 200 readers of
// GET /v1/notifications feel, end to end over HTTP: 200 caseworkers of one
// county each hold a stream; a report is received (POST /v1/cases), which
// opens obligations owned by the county's center, so every stream is told;
// the latency is from the command's answer to each stream's event about
// that case. 20 reports, 300 ms apart; p50, p99 and max over the 4,000
// deliveries:
//
//	CARELEDGER_TEST_POSTGRES=… go test -run '^$' -bench NotificationFanOut -benchtime 1x ./api/
func BenchmarkNotificationFanOut(b *testing.B) {
	kinds := []string{"sqlite"}
	if os.Getenv("CARELEDGER_TEST_POSTGRES") != "" {
		kinds = append(kinds, "postgres")
	}
	const readers, reports = 200, 20
	for _, kind := range kinds {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				env := apitest.Start(b, kind)
				writer := env.Token("caseworker", county, "cw-writer", "")
				var mu sync.Mutex
				answered := map[string]time.Time{}
				var latencies []time.Duration
				var wg sync.WaitGroup
				var stops []func()
				for i := range readers {
					events, stop := subscribe(b, env, env.Token("caseworker", county, "cw-"+itoa(i), ""), "")
					stops = append(stops, stop)
					wg.Add(1)
					go func() {
						defer wg.Done()
						told := map[string]bool{}
						for len(told) < reports {
							ev, ok := <-events
							if !ok {
								return
							}
							id := ev.note.Deadline.CaseID
							if id == "" || told[id] {
								continue
							}
							at := time.Now()
							mu.Lock()
							if sent, ok := answered[id]; ok {
								told[id] = true
								latencies = append(latencies, at.Sub(sent))
							}
							mu.Unlock()
						}
					}()
				}
				time.Sleep(time.Second) // every stream is open
				for range reports {
					res := env.Do("POST", "/v1/cases", writer, reportBody())
					if res.Status != http.StatusCreated {
						b.Fatalf("%d %s", res.Status, res.Body)
					}
					var ans struct{ ID string }
					res.JSON(b, &ans)
					mu.Lock()
					answered[ans.ID] = time.Now()
					mu.Unlock()
					time.Sleep(300 * time.Millisecond)
				}
				done := make(chan struct{})
				go func() { wg.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(60 * time.Second):
				}
				for _, stop := range stops {
					go stop()
				}
				mu.Lock()
				slices.Sort(latencies)
				n := len(latencies)
				if n < readers*reports {
					b.Errorf("%d of %d deliveries within a minute", n, readers*reports)
				}
				if n > 0 {
					q := func(p float64) float64 { return float64(latencies[min(n-1, int(p*float64(n)))].Milliseconds()) }
					b.ReportMetric(q(0.5), "p50-ms")
					b.ReportMetric(q(0.99), "p99-ms")
					b.ReportMetric(float64(latencies[n-1].Milliseconds()), "max-ms")
					b.ReportMetric(float64(n), "deliveries")
				}
				mu.Unlock()
			}
		})
	}
}
