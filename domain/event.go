package domain

import (
	"time"

	"github.com/google/uuid"
)

// Event is the data of a domain event. Its type name is stable and chosen,
// never derived from the Go type: renaming a Go type must not break history.
type Event interface {
	EventType() string
}

// Actor is who caused an event.
type Actor struct {
	Subject      string       `json:"subject"`
	Role         Role         `json:"role"`
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	// Qualification is where the actor's training stood at the act (zero
	// in events recorded before it was kept).
	Qualification Qualification `json:"qualification,omitzero"`
}

// Principal is an authenticated person acting: an actor, and for a partner
// the agency it speaks for.
type Principal struct {
	Actor
	Agency Agency
}

// Recorded is an event as the log holds it.
type Recorded struct {
	ID         uuid.UUID
	StreamID   StreamID
	Version    int64 // within the stream, from 1
	Position   int64 // in the whole log, from 1
	Event      Event
	Actor      Actor
	OccurredAt time.Time // business time
	RecordedAt time.Time // when the system learned it
}

// Change is an event an aggregate has decided and applied, not yet stored.
type Change struct {
	Event      Event
	Actor      Actor
	OccurredAt time.Time
}
