package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain/divisions"
)

func TestImportDivisions(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, ChinaStandardTime)
	shipped := divisions.Embedded()
	newer, err := shipped.With("2024", []divisions.Entry{{Code: "370902101245", Name: "新建村委会"}})
	require.NoError(t, err)
	admin := Principal{Actor: Actor{Subject: "admin", Role: RoleAdmin, Jurisdiction: All}}

	t.Run("given a newer edition, when an admin of all loads it, then the event carries what it adds", func(t *testing.T) {
		c, err := ImportDivisions(admin, now, shipped, newer)
		require.NoError(t, err)
		e := c.Event.(DivisionsImported)
		assert.Equal(t, "2024", e.Edition)
		assert.Equal(t, []divisions.Entry{{Code: "370902101245", Name: "新建村委会"}}, e.Entries)

		t.Run("and replaying it gives the newer register", func(t *testing.T) {
			got, err := ApplyDivisions(shipped, []Recorded{{Event: e, Position: 9}})
			require.NoError(t, err)
			assert.Equal(t, "2024", got.Edition())
			assert.NoError(t, CheckPlace(got, "jurisdiction", mustJurisdiction(t, "370902101245")))
			assert.Equal(t, "山东省泰安市泰山区邱家店镇新建村委会", PlaceName(got, mustJurisdiction(t, "370902101245")))
		})
	})
	t.Run("given the same edition again, then nothing new is refused", func(t *testing.T) {
		_, err := ImportDivisions(admin, now, newer, newer)
		var rule *RuleError
		require.ErrorAs(t, err, &rule)
		assert.Equal(t, RuleNothingNew, rule.Rule)
	})
	t.Run("given an admin of a county, then it is forbidden", func(t *testing.T) {
		county := admin
		county.Jurisdiction = mustJurisdiction(t, "370902")
		_, err := ImportDivisions(county, now, shipped, newer)
		assert.True(t, errors.Is(err, ErrForbidden))
	})
	t.Run("given an inspector, then it is forbidden", func(t *testing.T) {
		inspector := Principal{Actor: Actor{Subject: "i", Role: RoleInspector, Jurisdiction: All}}
		_, err := ImportDivisions(inspector, now, shipped, newer)
		assert.True(t, errors.Is(err, ErrForbidden))
	})
}

func TestCheckPlace(t *testing.T) {
	r := divisions.Embedded()
	for _, ok := range []string{"all", "37", "3709", "370902", "370902101", "370902101201"} {
		assert.NoError(t, CheckPlace(r, "jurisdiction", mustJurisdiction(t, ok)), ok)
	}
	err := CheckPlace(r, "child.jurisdiction", mustJurisdiction(t, "370902124"))
	var invalid *InvalidError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "child.jurisdiction", invalid.Field)
	assert.Contains(t, invalid.Message, "edition 2023")
	assert.Equal(t, "山东省泰安市泰山区", PlaceName(r, mustJurisdiction(t, "370902")))
	assert.Empty(t, PlaceName(r, mustJurisdiction(t, "370902124")))
}
