package projections

import (
	"fmt"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
)

// scannedTime reads a timestamp column of either dialect (SQLite keeps
// text in tsLayout, PostgreSQL a timestamptz); NULL leaves it invalid.
type scannedTime struct {
	T     time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (s *scannedTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s = scannedTime{}
		return nil
	case time.Time:
		*s = scannedTime{T: x.UTC(), Valid: true}
		return nil
	case string:
		return s.parse(x)
	case []byte:
		return s.parse(string(x))
	}
	return fmt.Errorf("timestamp column holds %T", v)
}

func (s *scannedTime) parse(text string) error {
	t, err := time.Parse(tsLayout, text)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, text); err != nil {
			return fmt.Errorf("timestamp column: %w", err)
		}
	}
	*s = scannedTime{T: t.UTC(), Valid: true}
	return nil
}

// ptr is the time, or nil for NULL.
func (s scannedTime) ptr() *time.Time {
	if !s.Valid {
		return nil
	}
	t := s.T
	return &t
}

// timeArg binds an optional timestamp.
func (d Dialect) timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.Time(*t)
}

// touched lists, once each and in order of first appearance, the ids of the
// streams with the given prefix ("case-", "child-") that events belong to.
func touched(events []domain.Recorded, prefix string) []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range events {
		if id, ok := strings.CutPrefix(r.StreamID, prefix); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}
