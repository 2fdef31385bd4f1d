package enginetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections/readdb"
)

// HoldsNone fails the test for every value, in any row of the table, that
// contains one of the words (empty words are passed over): how a test shows
// that no personal data or free text reached a read model. A value is
// read as the driver gives it and taken as text (fmt's %s), so a binary
// snapshot is searched too. It returns the table's columns and how many
// rows it read.
func HoldsNone(t testing.TB, db readdb.DB, table string, words []string) (columns []string, rows int) {
	t.Helper()
	rs, err := db.SQL.Query(`SELECT * FROM ` + table)
	require.NoError(t, err)
	defer rs.Close()
	columns, err = rs.Columns()
	require.NoError(t, err)
	for rs.Next() {
		rows++
		values := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range values {
			ptrs[i] = &values[i]
		}
		require.NoError(t, rs.Scan(ptrs...))
		for i, v := range values {
			text := fmt.Sprintf("%s", v)
			for _, word := range words {
				if word != "" {
					assert.NotContains(t, text, word, "%s.%s", table, columns[i])
				}
			}
		}
	}
	require.NoError(t, rs.Err())
	return columns, rows
}
