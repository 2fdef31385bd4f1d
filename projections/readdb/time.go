package readdb

import (
	"fmt"
	"time"
)

// tsLayout keeps SQLite timestamps sortable as text: fixed width, UTC,
// microseconds.
const tsLayout = "2006-01-02T15:04:05.000000Z"

// Time is the value to bind for a timestamp column (nil for the zero time).
func (d Dialect) Time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if d == Postgres {
		return t.UTC()
	}
	return formatTS(t.UTC())
}

// TimePtr binds an optional timestamp (nil: NULL).
func (d Dialect) TimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.Time(*t)
}

// Timestamp reads a timestamp column of either dialect (SQLite keeps text
// in its fixed layout, PostgreSQL a timestamptz, and either may come back
// as RFC 3339 text); NULL leaves it invalid. It is the one timestamp
// scanner of the read models.
type Timestamp struct {
	T     time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (s *Timestamp) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s = Timestamp{}
		return nil
	case time.Time:
		*s = Timestamp{T: x.UTC(), Valid: true}
		return nil
	case string:
		return s.parse(x)
	case []byte:
		return s.parse(string(x))
	}
	return fmt.Errorf("timestamp column holds %T", v)
}

func (s *Timestamp) parse(text string) error {
	t, ok := parseTS(text)
	if ok {
		*s = Timestamp{T: t, Valid: true}
		return nil
	}
	t, err := time.Parse(tsLayout, text)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, text); err != nil {
			return fmt.Errorf("timestamp column: %w", err)
		}
	}
	*s = Timestamp{T: t.UTC(), Valid: true}
	return nil
}

// Ptr is the time, or nil for NULL.
func (s Timestamp) Ptr() *time.Time {
	if !s.Valid {
		return nil
	}
	t := s.T
	return &t
}

// formatTS is t.Format(tsLayout) for a time in UTC, spelled by hand for
// the years of four digits (the layout engine took 2 % of a server's CPU
// rebuilding the read models on SQLite).
func formatTS(t time.Time) string {
	if year := t.Year(); year < 0 || year > 9999 {
		return t.Format(tsLayout)
	}
	b := AppendDateTime(make([]byte, 0, len(tsLayout)), t, 'T')
	b = AppendPadded(append(b, '.'), t.Nanosecond()/1000, 6)
	return string(append(b, 'Z'))
}

// AppendDateTime appends the date and the clock of t, whose year has four
// digits, as YYYY-MM-DD, sep, hh:mm:ss: a timestamp's fields, spelled
// without the layout engine.
func AppendDateTime(b []byte, t time.Time, sep byte) []byte {
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	b = AppendPadded(b, year, 4)
	b = AppendPadded(append(b, '-'), int(month), 2)
	b = AppendPadded(append(b, '-'), day, 2)
	b = AppendPadded(append(b, sep), hour, 2)
	b = AppendPadded(append(b, ':'), minute, 2)
	return AppendPadded(append(b, ':'), second, 2)
}

// AppendPadded appends n (≥ 0, below 10^width) in width digits,
// zero-padded: a timestamp's fields, spelled without the layout engine.
func AppendPadded(b []byte, n, width int) []byte {
	start := len(b)
	for range width {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && n > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

// parseTS reads text in tsLayout by hand; ok is false for anything else
// (and for a date or clock out of range), which time.Parse then judges.
func parseTS(text string) (t time.Time, ok bool) {
	if len(text) != len(tsLayout) || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
		text[16] != ':' || text[19] != '.' || text[26] != 'Z' {
		return time.Time{}, false
	}
	var field [7]int
	for i, span := range [7][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}, {20, 26}} {
		for _, c := range []byte(text[span[0]:span[1]]) {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			field[i] = field[i]*10 + int(c-'0')
		}
	}
	year, month, day, hour, minute, second, micros := field[0], time.Month(field[1]), field[2], field[3], field[4], field[5], field[6]
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t = time.Date(year, month, day, hour, minute, second, micros*1000, time.UTC)
	if t.Day() != day { // past the month's end: time.Date moved it on
		return time.Time{}, false
	}
	return t, true
}
