package domain

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noteV3 is a test event whose schema changed twice: v1 had "text", v2
// renamed it "note", v3 added "lang".
type noteV3 struct {
	Note string `json:"note"`
	Lang string `json:"lang"`
}

func (noteV3) EventType() string { return "test.note" }

func TestRegistryUpcastsOldVersions(t *testing.T) {
	r := &Registry{byName: map[string]registration{}}
	Register[noteV3](r, 3, map[int]Upcaster{
		1: func(d json.RawMessage) (json.RawMessage, error) {
			var v1 struct{ Text string }
			if err := json.Unmarshal(d, &v1); err != nil {
				return nil, err
			}
			return json.Marshal(map[string]string{"note": v1.Text})
		},
		2: func(d json.RawMessage) (json.RawMessage, error) {
			var v2 map[string]string
			if err := json.Unmarshal(d, &v2); err != nil {
				return nil, err
			}
			v2["lang"] = "zh"
			return json.Marshal(v2)
		},
	})
	e, err := r.Decode("test.note", 1, json.RawMessage(`{"text":"家访"}`))
	require.NoError(t, err)
	assert.Equal(t, noteV3{Note: "家访", Lang: "zh"}, e)
	e, err = r.Decode("test.note", 3, json.RawMessage(`{"note":"x","lang":"en"}`))
	require.NoError(t, err)
	assert.Equal(t, noteV3{Note: "x", Lang: "en"}, e)

	name, version, data, err := r.Encode(noteV3{Note: "y"})
	require.NoError(t, err)
	assert.Equal(t, "test.note", name)
	assert.Equal(t, 3, version)
	assert.JSONEq(t, `{"note":"y","lang":""}`, string(data))

	_, err = r.Decode("test.note", 4, json.RawMessage(`{}`))
	assert.ErrorContains(t, err, "schema version 4")
	_, err = r.Decode("test.unknown", 1, json.RawMessage(`{}`))
	assert.ErrorContains(t, err, "unknown type")
	assert.Panics(t, func() { Register[noteV3](r, 1, nil) }, "a type registers once")
	assert.Panics(t, func() { Register[CaseClosed](r, 2, nil) }, "every old version needs an upcaster")
}

// TestRegistryKnowsEveryEvent: every event of the domain round-trips
// through the registry under its stable name.
func TestRegistryKnowsEveryEvent(t *testing.T) {
	r := NewRegistry()
	for _, e := range []Event{
		ReportReceived{}, ReportForwardedToPolice{}, EmergencyResponseRecorded{}, CaseAssigned{}, AssessmentCompleted{},
		CaseConferenceHeld{}, ReferralMade{}, ReferralAccepted{}, ReferralDeclined{}, ReferralCompleted{},
		TemporaryGuardianshipStarted{}, TemporaryGuardianshipEnded{}, GuardianshipInterventionRecorded{},
		FollowUpRecorded{}, MajorIncidentDeclared{}, CaseClosed{}, CaseReopened{}, ChildRegistered{},
		ChildProfileUpdated{}, VisitRecorded{}, GuardianshipEntrustmentConfirmed{}, ChildDataErased{},
		WorkerRegistered{}, WorkerTrainingRecorded{}, InquiryOpened{}, DeadlinePolicyChanged{Policy: DefaultPolicy()},
		EntryCorrected{},
	} {
		name, version, data, err := r.Encode(e)
		require.NoError(t, err, e.EventType())
		back, err := r.Decode(name, version, data)
		require.NoError(t, err, e.EventType())
		assert.Equal(t, e.EventType(), back.EventType())
	}
}
