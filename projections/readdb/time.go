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
	return t.UTC().Format(tsLayout)
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
