package readdb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzFormatTS: formatTS spells a time as Format(tsLayout) does.
func FuzzFormatTS(f *testing.F) {
	f.Add(int64(1796577160123456789))
	f.Add(int64(-62135596800000000))
	f.Add(int64(1 << 62))
	f.Add(int64(-1 << 62))
	f.Fuzz(func(t *testing.T, nanos int64) {
		at := time.Unix(0, nanos).UTC()
		assert.Equal(t, at.Format(tsLayout), formatTS(at))
		far := at.AddDate(int(nanos%20000), 0, 0) // years of five digits, and before year 0
		assert.Equal(t, far.Format(tsLayout), formatTS(far))
	})
}

// FuzzParseTS: what parseTS reads, time.Parse reads the same; what it
// leaves, time.Parse is left to judge.
func FuzzParseTS(f *testing.F) {
	for _, s := range []string{"2026-12-07T01:02:03.456789Z", "0000-01-01T00:00:00.000000Z", "2026-02-29T00:00:00.000000Z",
		"2024-02-29T23:59:59.999999Z", "2026-13-01T00:00:00.000000Z", "2026-12-07T24:00:00.000000Z", "2026-12-07 01:02:03.456789Z",
		"2026-12-07T01:02:60.000000Z", "2026-12-07T01:02:03.45678xZ", "2026-12-07T01:02:03.456789+08:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, ok := parseTS(text)
		want, err := time.Parse(tsLayout, text)
		if ok {
			require.NoError(t, err)
			assert.True(t, want.Equal(got) && got.Location() == time.UTC, "%q: %v, want %v", text, got, want)
		}
	})
}

// TestParseTSReadsItsLayout: the fast path takes what formatTS writes, and
// leaves a date past its month's end to time.Parse, which refuses it.
func TestParseTSReadsItsLayout(t *testing.T) {
	at := time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC)
	got, ok := parseTS(formatTS(at))
	require.True(t, ok)
	assert.Equal(t, at, got)
	_, ok = parseTS("2026-02-29T00:00:00.000000Z")
	assert.False(t, ok)
	var ts Timestamp
	assert.Error(t, ts.Scan("2026-02-29T00:00:00.000000Z"))
	require.NoError(t, ts.Scan("2026-12-07T01:02:03.456789Z"))
	assert.Equal(t, time.Date(2026, 12, 7, 1, 2, 3, 456789000, time.UTC), ts.T)
}

func BenchmarkTimestamp(b *testing.B) {
	at := time.Date(2026, 12, 7, 1, 2, 3, 456789000, time.UTC)
	text := at.Format(tsLayout)
	b.Run("format/layout", func(b *testing.B) {
		for b.Loop() {
			_ = at.Format(tsLayout)
		}
	})
	b.Run("format/spelled", func(b *testing.B) {
		for b.Loop() {
			_ = formatTS(at)
		}
	})
	b.Run("parse/layout", func(b *testing.B) {
		for b.Loop() {
			_, _ = time.Parse(tsLayout, text)
		}
	})
	b.Run("parse/spelled", func(b *testing.B) {
		for b.Loop() {
			_, _ = parseTS(text)
		}
	})
}
