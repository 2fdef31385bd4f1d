package deadlines

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/careledger/careledger/projections/readdb"
)

// rowFingerprint fingerprints what a row says of its obligation (every
// column before opened_seq), so that write can tell an unchanged row and
// leave it: the SHA-256 of each value spelled "%T=%v" and ended by a NUL,
// its first 16 bytes in hex. The values a row holds (text, NULL, int64, a
// PostgreSQL timestamp) are spelled here without fmt, as fmt spells them —
// the fingerprints already stored stay right — since fmt took 8 % of a
// server's CPU rebuilding the view on PostgreSQL.
func rowFingerprint(values []any) string {
	var stack [1024]byte
	buf := stack[:0]
	for _, v := range values {
		buf = appendSpelled(buf, v)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// timeString is the layout time.Time's String writes a time without a
// monotonic reading in.
const timeString = "2006-01-02 15:04:05.999999999 -0700 MST"

// appendTime appends t in timeString's layout: by hand for a time in UTC
// with a year of four digits (a PostgreSQL row's), by the layout engine
// otherwise.
func appendTime(b []byte, t time.Time) []byte {
	if year := t.Year(); t.Location() != time.UTC || year < 0 || year > 9999 {
		return t.AppendFormat(b, timeString)
	}
	b = readdb.AppendDateTime(b, t, ' ')
	if ns := t.Nanosecond(); ns > 0 { // .999999999: nine digits, the zeros after the last cut
		b = readdb.AppendPadded(append(b, '.'), ns, 9)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return append(b, " +0000 UTC"...)
}

// appendSpelled appends v as fmt.Sprintf("%T=%v\x00", v, v) spells it.
func appendSpelled(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		b = append(b, "<nil>=<nil>"...)
	case string:
		b = append(append(b, "string="...), v...)
	case int64:
		b = strconv.AppendInt(append(b, "int64="...), v, 10)
	case time.Time:
		if v.Round(0) != v { // a monotonic reading: String adds it
			b = append(append(b, "time.Time="...), v.String()...)
			break
		}
		b = appendTime(append(b, "time.Time="...), v)
	default:
		b = fmt.Appendf(b, "%T=%v", v, v)
	}
	return append(b, 0)
}
