package caseview

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
)

// TestEveryRiskHasAColumn: each risk the domain knows is counted in a
// column of rm_caseload and a field of RiskCounts; a new word without them
// would stop the case view at its first case.
func TestEveryRiskHasAColumn(t *testing.T) {
	words := domain.Words[domain.Risk]()
	require.NotEmpty(t, words)
	columns := map[int]string{}
	for _, w := range words {
		c, err := countsOf(loadKey{bucket: CaseloadAssigned, risk: w})
		require.NoError(t, err, w)
		for i := countHigh; i <= countLow; i++ {
			if c[i] == 1 {
				assert.NotContains(t, columns, i, "%s shares a column", w)
				columns[i] = w
			}
		}
	}
	assert.Len(t, columns, countLow-countHigh+1, "every risk column is some risk's")
	_, err := countsOf(loadKey{bucket: CaseloadAssigned, risk: "unheard-of"})
	assert.Error(t, err)
}
