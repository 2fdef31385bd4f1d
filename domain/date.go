package domain

import (
	"fmt"
	"time"
)

// Date is a calendar date (RFC 3339 full-date, YYYY-MM-DD).
type Date struct{ t time.Time }

// ParseDate accepts YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, &InvalidError{Field: "date", Message: fmt.Sprintf("%q is not a date YYYY-MM-DD", s)}
	}
	return Date{t: t}, nil
}

// NewDate makes a date.
func NewDate(year int, month time.Month, day int) Date {
	return Date{t: time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// String is YYYY-MM-DD.
func (d Date) String() string { return d.t.Format(time.DateOnly) }

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Start is the date's first instant in China Standard Time, where the
// policy's dates are kept.
func (d Date) Start() time.Time {
	return time.Date(d.t.Year(), d.t.Month(), d.t.Day(), 0, 0, 0, 0, ChinaStandardTime)
}

// Year is the date's year.
func (d Date) Year() int { return d.t.Year() }

// MarshalText encodes YYYY-MM-DD ("" for no date).
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText accepts YYYY-MM-DD, or "" for no date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	parsed, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// ChinaStandardTime is UTC+8, without daylight saving.
var ChinaStandardTime = time.FixedZone("CST", 8*3600)
