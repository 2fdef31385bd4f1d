package commands

import (
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// DecodeEvents turns stored events into the domain's view of them.
func DecodeEvents(reg *domain.Registry, stored []eventstore.Event) ([]domain.Recorded, error) {
	out := make([]domain.Recorded, 0, len(stored))
	for _, e := range stored {
		ev, err := reg.Decode(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return nil, fmt.Errorf("event %d of %s: %w", e.StreamVersion, e.StreamID, err)
		}
		meta, err := e.Meta()
		if err != nil {
			return nil, err
		}
		actor, err := actorOf(meta.Actor)
		if err != nil {
			return nil, fmt.Errorf("event %d of %s: %w", e.StreamVersion, e.StreamID, err)
		}
		out = append(out, domain.Recorded{
			ID:         e.ID,
			StreamID:   e.StreamID,
			Version:    e.StreamVersion,
			Position:   e.GlobalPosition,
			Event:      ev,
			Actor:      actor,
			OccurredAt: e.OccurredAt,
			RecordedAt: e.RecordedAt,
		})
	}
	return out, nil
}

// actorOf reads the actor of stored metadata. Words outside today's
// vocabularies are kept out rather than failing a read: the event is what
// it is.
func actorOf(a eventstore.Actor) (domain.Actor, error) {
	out := domain.Actor{Subject: a.Subject}
	if a.Role != "" {
		role, err := domain.ParseRole(a.Role)
		if err != nil {
			return domain.Actor{}, err
		}
		out.Role = role
	}
	if a.Jurisdiction != "" {
		j, err := domain.ParseJurisdiction(a.Jurisdiction)
		if err != nil {
			return domain.Actor{}, err
		}
		out.Jurisdiction = j
	}
	return out, nil
}
