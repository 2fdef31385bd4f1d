package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckLegalHold(t *testing.T) {
	open := CaseFacts{ID: "c-open", ChildID: "k1", Status: StatusOpen}
	closed := CaseFacts{ID: "c-closed", ChildID: "k1", Status: StatusClosed}
	other := CaseFacts{ID: "c-other", ChildID: "k2", Status: StatusOpen}

	t.Run("given no case or only closed ones, then erasure may go ahead", func(t *testing.T) {
		assert.NoError(t, CheckLegalHold("k1", nil, nil))
		assert.NoError(t, CheckLegalHold("k1", []CaseFacts{closed, other}, nil))
	})
	t.Run("given an open case, then the record is held, naming the case", func(t *testing.T) {
		err := CheckLegalHold("k1", []CaseFacts{closed, open}, nil)
		var rule *RuleError
		require.ErrorAs(t, err, &rule)
		assert.Equal(t, RuleLegalHold, rule.Rule)
		assert.Contains(t, rule.Message, "case c-open is open")
		assert.NotContains(t, rule.Message, "c-closed")
	})
	t.Run("given an open inquiry, then the record is held, naming it", func(t *testing.T) {
		err := CheckLegalHold("k1", []CaseFacts{closed}, []string{"inq-1"})
		var rule *RuleError
		require.ErrorAs(t, err, &rule)
		assert.Contains(t, rule.Message, "inquiry inq-1 is open")
	})
}
