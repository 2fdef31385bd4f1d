package privacy_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/eventstore/sqlite"
)

// BenchmarkReadLog reads a log of child registrations (every one with
// sealed fields, one child each) through the sealing store and, as the
// baseline in the same run, through the store underneath; it reports
// events per second of each and their ratio.
func BenchmarkReadLog(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "careledger.db")
	inner, err := sqlite.Open(ctx, path, eventstore.Options{SealKey: []byte("k")})
	if err != nil {
		b.Fatal(err)
	}
	defer inner.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	keys, err := privacy.OpenKeys(ctx, db, true, masterKey(0))
	if err != nil {
		b.Fatal(err)
	}
	s := privacy.Wrap(inner, keys, privacy.TestCatalog{})
	const n = 2000
	for i := range n {
		id := uuid.NewString()
		c := map[string]any{}
		for k, v := range child {
			c[k] = v
		}
		c["child_id"] = id
		if _, err := s.Append(ctx, eventstore.StreamRef{ID: "child-" + id, Type: "child"}, eventstore.NoStream, event(b, "child.registered", c)); err != nil {
			b.Fatal(i, err)
		}
	}
	read := func(store eventstore.Store) float64 {
		var total float64
		for range b.N {
			var pos int64
			for {
				page, err := store.ReadLog(ctx, pos, 500)
				if err != nil {
					b.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				pos = page[len(page)-1].GlobalPosition
			}
			total += n
		}
		return total
	}
	// Warm the key cache, as a running server has it.
	read(s)
	b.ResetTimer()
	start := time.Now()
	sealed := read(s)
	sealedTime := time.Since(start)
	start = time.Now()
	raw := read(inner)
	rawTime := time.Since(start)
	b.ReportMetric(sealed/sealedTime.Seconds(), "sealed_events/s")
	b.ReportMetric(raw/rawTime.Seconds(), "raw_events/s")
	b.ReportMetric(sealedTime.Seconds()/rawTime.Seconds(), "time_ratio")
}
