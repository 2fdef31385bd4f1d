package deadlines

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fmtFingerprint is how fingerprints were made, and stored, before
// rowFingerprint spelled the values itself.
func fmtFingerprint(values []any) string {
	h := sha256.New()
	for _, v := range values {
		fmt.Fprintf(h, "%T=%v\x00", v, v)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// FuzzFingerprintAsStored: rowFingerprint gives the fingerprint fmt gave,
// for the values a row holds and for others (the fallback), so that the
// rows stored before keep theirs.
func FuzzFingerprintAsStored(f *testing.F) {
	f.Add("k/1", int64(3), int64(1796577160123456789), true, 1.5)
	f.Add("", int64(-1), int64(0), false, 0.0)
	f.Add("高\x00\xff", int64(1<<62), int64(-62135596800000000), true, -2.25)
	f.Fuzz(func(t *testing.T, s string, n, nanos int64, null bool, other float64) {
		at := time.Unix(0, nanos).UTC()
		row := []any{s, n, at, at.In(time.FixedZone("CST", 8*3600)), time.Now().Add(time.Duration(n)), at.Format(time.RFC3339Nano), other, []byte(s)}
		if null {
			row = append(row, nil)
		}
		assert.Equal(t, fmtFingerprint(row), rowFingerprint(row))
	})
}

func BenchmarkRowFingerprint(b *testing.B) {
	at := time.Date(2026, 12, 4, 17, 30, 34, 301022000, time.UTC)
	row := []any{"post_closure_follow_up/018b6d77-ee8f-8c15-8200-000000000000//2026-12-04T17:30:34.301022Z/0",
		"018b6d77-ee8f-8c15-8200-000000000000", "post_closure_follow_up", "018b6d77-ee8f-8c15-8200-000000000000",
		"018b6d77-ee8f-8c15-8200-000000000000", nil, nil, nil, "370902101240", "caseworker:370902",
		`[{"owner":"caseworker:370902","from":"2026-11-04T17:30:34.301022Z"}]`, at, at.Add(72 * time.Hour), nil, "open", int64(1)}
	b.Run("fmt", func(b *testing.B) {
		for b.Loop() {
			fmtFingerprint(row)
		}
	})
	b.Run("spelled", func(b *testing.B) {
		for b.Loop() {
			rowFingerprint(row)
		}
	})
}
