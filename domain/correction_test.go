package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCorrectEntry(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, ChinaStandardTime)
	visit := Recorded{ID: uuid.Must(uuid.NewV7()), Version: 2, Event: VisitRecorded{Findings: "孩子独自在家"}, OccurredAt: now.Add(-time.Hour)}
	history := []Recorded{{ID: uuid.Must(uuid.NewV7()), Version: 1, Event: ChildRegistered{}}, visit}
	director := Principal{Actor: Actor{Subject: "d-1", Role: RoleChildDirector, Jurisdiction: mustJurisdiction(t, "370902101201")}}

	ch, err := CorrectEntry(director, now, history, visit.ID, "孩子与祖母同住", "记录错误")
	require.NoError(t, err)
	assert.Equal(t, EntryCorrected{Corrects: visit.ID, CorrectedType: "child.visit_recorded", Correction: "孩子与祖母同住", Reason: "记录错误"}, ch.Event)
	assert.Equal(t, now, ch.OccurredAt)

	_, err = CorrectEntry(director, now, history, uuid.Must(uuid.NewV7()), "x", "y")
	var rule *RuleError
	require.ErrorAs(t, err, &rule)
	assert.Equal(t, RuleUnknownEntry, rule.Rule, "a correction names an entry of this record")

	_, err = CorrectEntry(director, now, history, uuid.Nil, "x", "y")
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = CorrectEntry(director, now, history, visit.ID, "x", " ")
	assert.ErrorIs(t, err, ErrInvalid)

	for _, role := range []Role{RolePartner, RoleInspector, RoleAnalyst, RoleAdmin} {
		p := director
		p.Role = role
		_, err := CorrectEntry(p, now, history, visit.ID, "x", "y")
		assert.True(t, errors.Is(err, ErrForbidden), "%s may not correct", role)
	}

	// Aggregates take a correction as an entry that changes no state.
	c := LoadChild(history)
	before := c.Profile()
	c.Apply(Recorded{ID: uuid.Must(uuid.NewV7()), Version: 3, Event: ch.Event, OccurredAt: now})
	assert.Equal(t, before, c.Profile())
	assert.Equal(t, int64(3), c.Version())
}

func mustJurisdiction(t *testing.T, s string) Jurisdiction {
	t.Helper()
	j, err := ParseJurisdiction(s)
	require.NoError(t, err)
	return j
}
