package deadlines

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
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
		b = v.AppendFormat(append(b, "time.Time="...), timeString)
	default:
		b = fmt.Appendf(b, "%T=%v", v, v)
	}
	return append(b, 0)
}
