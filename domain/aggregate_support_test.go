package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// Given/when/then support for the aggregate tests of child, worker, inquiry
// and policy.

// storedAs turns decided changes into the history a store would hand back:
// stream versions from 1, each recorded a second after it occurred.
func storedAs(stream StreamID, changes ...Change) []Recorded {
	out := make([]Recorded, len(changes))
	for i, c := range changes {
		out[i] = Recorded{
			ID: uuid.New(), StreamID: stream, Version: int64(i + 1), Position: int64(i + 1),
			Event: c.Event, Actor: c.Actor, OccurredAt: c.OccurredAt, RecordedAt: c.OccurredAt.Add(time.Second),
		}
	}
	return out
}

// throughJSON passes events through the registry's encoding, as the store does.
func throughJSON(t *testing.T, history []Recorded) []Recorded {
	t.Helper()
	reg := NewRegistry()
	out := make([]Recorded, len(history))
	for i, r := range history {
		name, version, data, err := reg.Encode(r.Event)
		require.NoError(t, err)
		r.Event, err = reg.Decode(name, version, data)
		require.NoError(t, err)
		out[i] = r
	}
	return out
}

// acting is a principal of a role.
func acting(role Role, subject, jurisdiction string) Principal {
	j, err := ParseJurisdiction(jurisdiction)
	if err != nil {
		panic(err)
	}
	return Principal{Actor: Actor{Subject: subject, Role: role, Jurisdiction: j}}
}

// everyRole is every role of the vocabulary.
var everyRole = []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker, RolePartner, RoleInspector, RoleAnalyst, RoleAdmin}

func mustPlace(s string) Jurisdiction {
	j, err := ParseJurisdiction(s)
	if err != nil {
		panic(err)
	}
	return j
}

// thenInvalid asserts an *InvalidError naming field.
func thenInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ErrInvalid)
	var e *InvalidError
	require.True(t, errors.As(err, &e))
	require.Equal(t, field, e.Field, "message: %s", e.Message)
}

// thenImpossible asserts an *ImpossibleError naming field.
func thenImpossible(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ErrImpossible)
	var e *ImpossibleError
	require.True(t, errors.As(err, &e))
	require.Equal(t, field, e.Field, "message: %s", e.Message)
}

// thenRule asserts a *RuleError of rule.
func thenRule(t *testing.T, err error, rule string) {
	t.Helper()
	require.ErrorIs(t, err, ErrRule)
	var e *RuleError
	require.True(t, errors.As(err, &e))
	require.Equal(t, rule, e.Rule, "message: %s", e.Message)
}

// thenForbidden asserts a *ForbiddenError.
func thenForbidden(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, ErrForbidden)
	var e *ForbiddenError
	require.True(t, errors.As(err, &e))
	require.NotEmpty(t, e.Message)
}

// foldWorker folds a worker's stream into its facts.
func foldWorker(history []Recorded) WorkerFacts { return LoadWorker(history).Facts() }
