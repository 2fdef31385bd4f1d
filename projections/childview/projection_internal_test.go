package childview

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
)

// TestWordList: the arrays of categories the view writes are what
// json.Marshal writes ([] for none).
func TestWordList(t *testing.T) {
	t.Parallel()
	categories, err := domain.ParseCategories(domain.Words[domain.Category]())
	require.NoError(t, err)
	for _, terms := range [][]domain.Category{categories, categories[:1], {}, nil} {
		want, err := json.Marshal(terms)
		require.NoError(t, err)
		if terms == nil {
			want = []byte("[]")
		}
		assert.Equal(t, string(want), wordList(terms))
	}
}
