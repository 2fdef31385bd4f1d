package api_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/projections/accesslog"
)

// BenchmarkReadChildFile measures GET /v1/children/{id} without an access
// log, with the buffered one the server runs, and with one that writes
// each entry before answering:
//
//	go test -run '^$' -bench ReadChildFile -benchtime 40x ./api/
func BenchmarkReadChildFile(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			env := apitest.Start(b, backend)
			admin := env.Token("admin", "all", "admin-1", "")
			res := env.Do("POST", "/v1/workers", admin, map[string]any{"name": "王芳", "role": "caseworker", "jurisdiction": "370902"})
			var worker api.Answer
			res.JSON(b, &worker)
			caseworker := env.Token("caseworker", "370902", worker.ID, "")
			res = env.Do("POST", "/v1/children", caseworker, map[string]any{
				"name": "张小明", "birth_date": "2015-03-02", "sex": "male", "jurisdiction": "370902101201",
				"categories": []string{"left_behind"}, "key_child_flags": []string{},
				"guardian":         map[string]any{"name": "张德福", "relation": "祖父", "phone": "13800000000"},
				"living_situation": "与祖父同住", "schooling": "小学三年级", "hukou_registered": true,
			}, "X-Request-Id", "bench")
			var child api.Answer
			res.JSON(b, &child)
			path := "/v1/children/" + child.ID
			if res := env.Do("GET", path+"?min_position="+strconv.FormatInt(child.Events[0].GlobalPosition, 10), caseworker, nil); res.Status != http.StatusOK {
				b.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
			}
			buffered := api.AccessLogOf(env.Server)
			logs := []struct {
				name string
				log  *accesslog.Log
			}{
				{"no-log", nil},
				{"buffered", buffered},
				{"synchronous", accesslog.New(env.State, accesslog.Options{Synchronous: true})},
			}
			// The modes take turns in blocks, so that whatever else the
			// machine does falls on each alike. A block of the buffered log
			// ends with its flush: its cost counts in the mean time per
			// read (throughput), not in the reads' own latency (median).
			spent := make([]time.Duration, len(logs))
			latencies := make([][]time.Duration, len(logs))
			const block = 50
			for b.Loop() {
				for i, l := range logs {
					api.SetAccessLog(env.Server, l.log)
					start := time.Now()
					for range block {
						t0 := time.Now()
						if res := env.Do("GET", path, caseworker, nil); res.Status != http.StatusOK {
							b.Fatalf("GET %s: %d", path, res.Status)
						}
						latencies[i] = append(latencies[i], time.Since(t0))
					}
					if l.log != nil {
						if err := l.log.Flush(context.Background()); err != nil {
							b.Fatal(err)
						}
					}
					spent[i] += time.Since(start)
				}
			}
			median := func(ds []time.Duration) time.Duration {
				slices.Sort(ds)
				return ds[len(ds)/2]
			}
			base := median(latencies[0])
			for i, l := range logs {
				m := median(latencies[i])
				b.ReportMetric(float64(m.Microseconds()), "µs-median-"+l.name)
				if i > 0 {
					b.ReportMetric(float64(m)/float64(base), "median-ratio-"+l.name)
					b.ReportMetric(float64(spent[i])/float64(spent[0]), "mean-ratio-"+l.name)
				}
			}
			api.SetAccessLog(env.Server, buffered)
		})
	}
}
