package dberr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/dberr"
)

// TestTranslate: PostgreSQL's 53100 disk_full, however wrapped, becomes
// ErrStorageFull with the driver's error kept; other errors pass as they
// are. (SQLite's SQLITE_FULL is met for real in the stores' TestFullDisk:
// its driver's error cannot be made by hand.)
func TestTranslate(t *testing.T) {
	t.Parallel()
	full := &pgconn.PgError{Code: "53100", Message: `could not extend file "base/1/2": No space left on device`}
	for _, tc := range []struct {
		name string
		err  error
		full bool
	}{
		{"disk_full", fmt.Errorf("insert: %w", full), true},
		{"already translated", fmt.Errorf("append: %w", dberr.Translate(full)), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"out of memory", &pgconn.PgError{Code: "53200"}, false},
		{"not a driver's", errors.New("connection reset"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := dberr.Translate(tc.err)
			assert.Equal(t, tc.full, errors.Is(got, eventstore.ErrStorageFull))
			assert.ErrorIs(t, got, tc.err, "the driver's error stays wrapped")
			if !tc.full {
				assert.Same(t, tc.err, got, "passed as it is")
			}
		})
	}
	assert.NoError(t, dberr.Translate(nil))
	assert.Equal(t, 1, countFull(dberr.Translate(dberr.Translate(full))), "translated once, not twice")
}

// countFull counts ErrStorageFull in err's chain.
func countFull(err error) int {
	n := 0
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if err == eventstore.ErrStorageFull {
			n++
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return n
}
