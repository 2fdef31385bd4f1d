package projections

import (
	"fmt"
	"time"
)

// timeCol scans a timestamp column of either dialect (SQLite keeps text in
// tsLayout, PostgreSQL a timestamptz) into a *time.Time, nil for NULL.
type timeCol struct{ t **time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = nil
	case time.Time:
		t := v.UTC()
		*c.t = &t
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("timestamp column holds %T", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp column: %w", err)
	}
	t = t.UTC()
	*c.t = &t
	return nil
}

// timeArg binds an optional timestamp.
func (d Dialect) timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.Time(*t)
}
