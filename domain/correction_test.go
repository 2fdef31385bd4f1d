package domain

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCorrectEntry(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, ChinaStandardTime)
	visit := Recorded{ID: uuid.Must(uuid.NewV7()), Version: 2, Position: 12, Event: VisitRecorded{Findings: "孩子独自在家"}, OccurredAt: now.Add(-time.Hour)}
	history := []Recorded{{ID: uuid.Must(uuid.NewV7()), Version: 1, Position: 7, Event: ChildRegistered{}}, visit}
	director := Principal{Actor: Actor{Subject: "d-1", Role: RoleChildDirector, Jurisdiction: mustJurisdiction(t, "370902101201")}}
	fields := map[string]json.RawMessage{"findings": json.RawMessage(`"孩子与祖母同住"`)}

	t.Run("given an entry of the record, when its fields are corrected, then the correction names it and the original stays", func(t *testing.T) {
		ch, err := CorrectEntry(director, now, history, 12, fields, " 记录错误 ")
		require.NoError(t, err)
		assert.Equal(t, EntryCorrected{Corrects: visit.ID, CorrectsPosition: 12, CorrectedType: "child.visit_recorded", Fields: fields, Reason: "记录错误"}, ch.Event)
		assert.Equal(t, now, ch.OccurredAt)

		c := LoadChild(history)
		before := c.Profile()
		c.Apply(Recorded{ID: uuid.Must(uuid.NewV7()), Version: 3, Event: ch.Event, OccurredAt: now})
		assert.Equal(t, before, c.Profile(), "a correction changes no state")
	})
	t.Run("given a position not of this record, then it is refused naming corrects_position", func(t *testing.T) {
		for _, pos := range []int64{0, -1, 99} {
			_, err := CorrectEntry(director, now, history, pos, fields, "y")
			thenInvalid(t, err, "corrects_position")
		}
	})
	t.Run("given fields the entry has not, or values it cannot hold, then the field is named", func(t *testing.T) {
		_, err := CorrectEntry(director, now, history, 12, nil, "y")
		thenInvalid(t, err, "fields")
		_, err = CorrectEntry(director, now, history, 12, map[string]json.RawMessage{"weather": json.RawMessage(`"晴"`)}, "y")
		thenInvalid(t, err, "fields.weather")
		_, err = CorrectEntry(director, now, history, 12, map[string]json.RawMessage{"concerns": json.RawMessage(`["not_a_concern"]`)}, "y")
		thenInvalid(t, err, "fields.concerns")
		_, err = CorrectEntry(director, now, history, 12, map[string]json.RawMessage{"findings": json.RawMessage(`42`)}, "y")
		thenInvalid(t, err, "fields.findings")
		_, err = CorrectEntry(director, now, history, 12, fields, " ")
		thenInvalid(t, err, "reason")
	})
	t.Run("given a correction, then it is not corrected itself", func(t *testing.T) {
		ch, err := CorrectEntry(director, now, history, 12, fields, "y")
		require.NoError(t, err)
		withCorrection := append(history, Recorded{ID: uuid.Must(uuid.NewV7()), Version: 3, Position: 20, Event: ch.Event})
		_, err = CorrectEntry(director, now, withCorrection, 20, map[string]json.RawMessage{"reason": json.RawMessage(`"x"`)}, "y")
		thenInvalid(t, err, "corrects_position")
	})
	t.Run("given a role that does not keep the record, then it is forbidden", func(t *testing.T) {
		for _, role := range []Role{RolePartner, RoleInspector, RoleAnalyst, RoleAdmin} {
			p := director
			p.Role = role
			_, err := CorrectEntry(p, now, history, 12, fields, "y")
			assert.True(t, errors.Is(err, ErrForbidden), "%s may not correct", role)
		}
	})
}

func mustJurisdiction(t *testing.T, s string) Jurisdiction {
	t.Helper()
	j, err := ParseJurisdiction(s)
	require.NoError(t, err)
	return j
}

// FuzzCorrectEntry: whatever fields a client sends, the decision never
// panics, and a correction it accepts names only fields of the entry's
// type, with which the entry still reads as that type.
func FuzzCorrectEntry(f *testing.F) {
	f.Add("findings", `"孩子与祖母同住"`)
	f.Add("concerns", `["living_alone"]`)
	f.Add("concerns", `[1]`)
	f.Add("weather", `"晴"`)
	f.Add("findings", `{"a":1}`)
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, ChinaStandardTime)
	visit := Recorded{ID: uuid.Must(uuid.NewV7()), Version: 1, Position: 5, Event: VisitRecorded{Findings: "在家", Concerns: []Concern{}}}
	director := Principal{Actor: Actor{Subject: "d-1", Role: RoleChildDirector, Jurisdiction: Jurisdiction{code: "370902101201"}}}
	f.Fuzz(func(t *testing.T, name, value string) {
		if !json.Valid([]byte(value)) {
			return
		}
		ch, err := CorrectEntry(director, now, []Recorded{visit}, 5, map[string]json.RawMessage{name: json.RawMessage(value)}, "录入错误")
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		assert.Contains(t, []string{"findings", "concerns"}, name)
		var v VisitRecorded
		merged, _ := json.Marshal(map[string]json.RawMessage{name: ch.Event.(EntryCorrected).Fields[name]})
		require.NoError(t, json.Unmarshal(merged, &v))
	})
}
