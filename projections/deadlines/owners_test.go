package deadlines

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
)

// FuzzEncodeOwnersAsMarshalled: encodeOwners spells what json.Marshal
// spelled (marshalOwners), byte for byte, so that the owners and the
// fingerprints of the rows stored before stay as they are.
func FuzzEncodeOwnersAsMarshalled(f *testing.F) {
	f.Add("caseworker:370902", int64(1796577160123456789), "worker-1", int64(0), 2)
	f.Add("", int64(-62135596800000000), "a<b>&\"\\", int64(253402300799999999999/1000), 1)
	f.Add("高\x00\xff", int64(1<<62), "\u2028", int64(-1), 0)
	f.Fuzz(func(t *testing.T, first string, firstNanos int64, second string, secondNanos int64, n int) {
		spans := []domain.OwnerSpan{
			{Owner: first, From: time.Unix(0, firstNanos).In(time.FixedZone("CST", 8*3600))},
			{Owner: second, From: time.Unix(0, secondNanos)},
		}[:max(0, min(n, 2))]
		want, wantErr := marshalOwners(spans)
		got, err := encodeOwners(spans)
		assert.Equal(t, wantErr, err)
		assert.Equal(t, want, got)
	})
}

// TestEncodeOwnersFallsBack: a time json.Marshal cannot spell (a year
// past 9999) is its error, as before.
func TestEncodeOwnersFallsBack(t *testing.T) {
	_, err := encodeOwners([]domain.OwnerSpan{{Owner: "w", From: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}})
	require.Error(t, err)
	got, err := encodeOwners([]domain.OwnerSpan{{Owner: "w", From: time.Date(2026, 12, 7, 1, 2, 3, 400, time.UTC)}})
	require.NoError(t, err)
	assert.Equal(t, `[{"owner":"w","from":"2026-12-07T01:02:03.0000004Z"}]`, got)
}

func BenchmarkEncodeOwners(b *testing.B) {
	at := time.Date(2026, 11, 4, 17, 30, 34, 301022000, time.UTC)
	spans := []domain.OwnerSpan{{Owner: "caseworker:370902", From: at}, {Owner: "018b6d77-ee8f-8c15-8200-000000000000", From: at.Add(time.Hour)}}
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			_, _ = marshalOwners(spans)
		}
	})
	b.Run("spelled", func(b *testing.B) {
		for b.Loop() {
			_, _ = encodeOwners(spans)
		}
	})
}
