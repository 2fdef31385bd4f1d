// Package eventlog is the one envelope codec between the event log and the
// domain. It turns the changes a command decides into events the store
// appends — type name, schema version, data, actor and command metadata —
// and stored events back into the domain's Recorded, upcasting old schema
// versions through the domain's registry. The write side (commands) and the
// read side (projections, the trace-back report) both go through it, so they
// read the log alike; neither needs the other. Its subpackage personal
// gives the store the domain's catalog of personal data, so that the store
// itself need not know the domain.
package eventlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// ErrUndecodable: a stored event cannot be read as a domain event (an
// unknown type or schema version, data or metadata that do not decode, a
// stream id the domain does not name). Retrying does not help.
var ErrUndecodable = errors.New("stored event cannot be decoded")

// Codec encodes and decodes events with the domain's registry.
type Codec struct {
	registry *domain.Registry
}

// New makes a codec over a registry of every domain event.
func New() *Codec { return &Codec{registry: domain.NewRegistry()} }

// Registry is the registry the codec encodes and decodes with.
func (c *Codec) Registry() *domain.Registry { return c.registry }

// Decode turns stored events into the domain's view of them, in order.
func (c *Codec) Decode(stored []eventstore.Event) ([]domain.Recorded, error) {
	out := make([]domain.Recorded, 0, len(stored))
	for _, e := range stored {
		r, err := c.DecodeOne(e)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// DecodeOne turns one stored event into the domain's view of it.
func (c *Codec) DecodeOne(e eventstore.Event) (domain.Recorded, error) {
	fail := func(err error) (domain.Recorded, error) {
		return domain.Recorded{}, fmt.Errorf("event %d of %s: %w: %v", e.StreamVersion, e.StreamID, ErrUndecodable, err)
	}
	stream, err := domain.ParseStreamID(e.StreamID)
	if err != nil {
		return fail(err)
	}
	ev, err := c.registry.Decode(e.Type, e.SchemaVersion, e.Data)
	if err != nil {
		return fail(err)
	}
	meta, err := e.Meta()
	if err != nil {
		return fail(err)
	}
	actor, err := ActorOf(meta.Actor)
	if err != nil {
		return fail(err)
	}
	return domain.Recorded{
		ID:         e.ID,
		StreamID:   stream,
		Version:    e.StreamVersion,
		Position:   e.GlobalPosition,
		Event:      ev,
		Actor:      actor,
		OccurredAt: e.OccurredAt,
		RecordedAt: e.RecordedAt,
	}, nil
}

// ActorOf reads the actor of stored metadata as the domain knows it.
func ActorOf(a eventstore.Actor) (domain.Actor, error) {
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
	if a.Qualification != "" {
		q, err := domain.ParseQualification(a.Qualification)
		if err != nil {
			return domain.Actor{}, err
		}
		out.Qualification = q
	}
	return out, nil
}

// Envelope is what a command adds to the events it appends besides the
// changes themselves.
type Envelope struct {
	// EventID gives the id of the i-th event; nil: the store gives each a
	// new UUIDv7.
	EventID func(i int) uuid.UUID
	// CommandID ties the events of one command together.
	CommandID string
	// CorrelationID ties them to the request that caused them.
	CorrelationID string
	// RequestHash fingerprints that request (see eventstore.Metadata).
	RequestHash string
}

// Encode turns decided changes into events for the store.
func (c *Codec) Encode(changes []domain.Change, env Envelope) ([]eventstore.NewEvent, error) {
	out := make([]eventstore.NewEvent, 0, len(changes))
	for i, ch := range changes {
		name, version, data, err := c.registry.Encode(ch.Event)
		if err != nil {
			return nil, err
		}
		var id uuid.UUID
		if env.EventID != nil {
			id = env.EventID(i)
		}
		out = append(out, eventstore.NewEvent{
			ID:            id,
			Type:          name,
			SchemaVersion: version,
			Data:          data,
			OccurredAt:    ch.OccurredAt,
			Metadata: eventstore.Metadata{
				Actor: eventstore.Actor{
					Subject:       ch.Actor.Subject,
					Role:          ch.Actor.Role.String(),
					Jurisdiction:  ch.Actor.Jurisdiction.String(),
					Qualification: ch.Actor.Qualification.String(),
				},
				CommandID:     env.CommandID,
				CorrelationID: env.CorrelationID,
				RequestHash:   env.RequestHash,
			},
		})
	}
	return out, nil
}

// StreamRef names a domain stream for the store: its id and its kind.
func StreamRef(id domain.StreamID) eventstore.StreamRef {
	return eventstore.StreamRef{ID: id.String(), Type: string(id.Kind())}
}

// StreamIDs spells domain stream ids for the store.
func StreamIDs(ids ...domain.StreamID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// StreamReader is what ReadStream needs of the store.
type StreamReader interface {
	ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error)
}

// ReadStream reads and decodes one whole stream.
func (c *Codec) ReadStream(ctx context.Context, store StreamReader, id domain.StreamID) ([]domain.Recorded, error) {
	stored, err := store.ReadStream(ctx, id.String(), 0, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", id, err)
	}
	return c.Decode(stored)
}
