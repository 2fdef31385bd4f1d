package api_test

import (
	"net/http"
	"testing"

	"github.com/careledger/careledger/api/apitest"
)

// BenchmarkCoverage measures GET /v1/coverage end to end over HTTP: a
// county's 222 posts in one page, and the first page of 500 of a whole
// province (Shandong: 1,800+ townships, 69,000+ villages):
//
//	go test -run '^$' -bench Coverage -benchtime 200x ./api/
func BenchmarkCoverage(b *testing.B) {
	env := apitest.Start(b, "sqlite")
	admin := env.Token("admin", "all", "admin-1", "")
	for _, c := range []struct{ name, query string }{
		{"county", "/v1/coverage?jurisdiction=370902&limit=500"},
		{"province-first-page", "/v1/coverage?jurisdiction=37&limit=500"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if res := env.Do("GET", c.query, admin, nil); res.Status != http.StatusOK {
					b.Fatalf("%d %s", res.Status, res.Body)
				}
			}
		})
	}
}
