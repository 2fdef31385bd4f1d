package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// Store is an event store whose events' personal fields are encrypted at
// rest under their child's data key. It appends and reads like the store it
// wraps; Verify, Head and Stats are the wrapped store's (the hash chain
// covers the ciphertext).
type Store struct {
	eventstore.Store
	keys *Keys

	mu       sync.Mutex
	childOf  map[string]string  // case id → child id
	sealers  map[string]*sealer // by data key
	erasures string             // the event type that destroys a child's key
}

// Wrap makes a store that encrypts personal data on its way into inner.
func Wrap(inner eventstore.Store, keys *Keys) *Store {
	return &Store{Store: inner, keys: keys, childOf: map[string]string{}, sealers: map[string]*sealer{},
		erasures: domain.ChildDataErased{}.EventType()}
}

// Unwrap is the store underneath (for its backend's own handles).
func (s *Store) Unwrap() eventstore.Store { return s.Store }

// Keys is the key service the store encrypts with.
func (s *Store) Keys() *Keys { return s.keys }

// Append encrypts each event's personal fields, then appends. An erasure
// destroys the child's key before its event is appended, so that whatever
// happens next the data is gone; a retry finds it gone already.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	sealedEvents := make([]eventstore.NewEvent, len(events))
	for i, e := range events {
		if e.ID == uuid.Nil {
			// A sealed field is bound to its event's id: give it the id
			// the store would.
			id, err := uuid.NewV7()
			if err != nil {
				return nil, fmt.Errorf("privacy: event id: %w", err)
			}
			e.ID = id
		}
		child, err := s.subject(ctx, stream.ID, e.Type, e.Data)
		if err != nil {
			return nil, err
		}
		if e.Type == s.erasures && child != "" {
			if err := s.keys.Destroy(ctx, child); err != nil {
				return nil, err
			}
		}
		if fields := domain.PersonalFields(e.Type); len(fields) > 0 && child != "" {
			key, err := s.sealer(ctx, child, true)
			if err != nil {
				return nil, err
			}
			if e.Data, err = sealFields(e.Data, fields, key, e.ID); err != nil {
				return nil, fmt.Errorf("privacy: seal %s: %w", e.Type, err)
			}
		}
		sealedEvents[i] = e
	}
	stored, err := s.Store.Append(ctx, stream, expected, sealedEvents...)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, stored)
}

// ReadStream reads a stream with its personal fields opened.
func (s *Store) ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	events, err := s.Store.ReadStream(ctx, streamID, afterVersion, limit)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, events)
}

// ReadStreams reads streams with their personal fields opened.
func (s *Store) ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error) {
	streams, err := s.Store.ReadStreams(ctx, streamIDs, upToPosition)
	if err != nil {
		return nil, err
	}
	for id, events := range streams {
		if streams[id], err = s.open(ctx, events); err != nil {
			return nil, err
		}
	}
	return streams, nil
}

// ReadLog reads the log with personal fields opened.
func (s *Store) ReadLog(ctx context.Context, afterPosition int64, limit int) ([]eventstore.Event, error) {
	events, err := s.Store.ReadLog(ctx, afterPosition, limit)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, events)
}

// open decrypts the personal fields of stored events, in place of a copy.
func (s *Store) open(ctx context.Context, events []eventstore.Event) ([]eventstore.Event, error) {
	var out []eventstore.Event
	for i, e := range events {
		fields := domain.PersonalFields(e.Type)
		if len(fields) == 0 {
			continue
		}
		child, err := s.subject(ctx, e.StreamID, e.Type, e.Data)
		if err != nil {
			return nil, err
		}
		if child == "" {
			continue
		}
		key, err := s.sealer(ctx, child, false)
		if err != nil {
			return nil, err
		}
		data, err := openFields(e.Data, fields, key, e.ID)
		if err != nil {
			return nil, fmt.Errorf("privacy: open event %d: %w", e.GlobalPosition, err)
		}
		if out == nil {
			out = append([]eventstore.Event(nil), events...)
		}
		out[i].Data = data
	}
	if out == nil {
		return events, nil
	}
	return out, nil
}

// sealer is the sealer of a child's data key (nil when the child has none
// or it was destroyed); create makes the key when the child has none.
func (s *Store) sealer(ctx context.Context, child string, create bool) (*sealer, error) {
	key, ok, err := s.keys.DataKey(ctx, child, create)
	if err != nil || !ok {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl, ok := s.sealers[string(key)]; ok {
		return sl, nil
	}
	sl, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	s.sealers[string(key)] = sl
	return sl, nil
}

// subject is the child whose data an event of a stream holds: the child of
// a child's stream, the child a case's report names for a case's stream
// ("" for other streams).
func (s *Store) subject(ctx context.Context, streamID, eventType string, data json.RawMessage) (string, error) {
	if id, ok := strings.CutPrefix(streamID, "child-"); ok {
		return id, nil
	}
	caseID, ok := strings.CutPrefix(streamID, "case-")
	if !ok {
		return "", nil
	}
	s.mu.Lock()
	child, known := s.childOf[caseID]
	s.mu.Unlock()
	if known {
		return child, nil
	}
	if eventType == (domain.ReportReceived{}).EventType() {
		var r struct {
			ChildID string `json:"child_id"`
		}
		if err := json.Unmarshal(data, &r); err != nil || r.ChildID == "" {
			return "", fmt.Errorf("privacy: a report of case %s names no child", caseID)
		}
		child = r.ChildID
	} else {
		first, err := s.Store.ReadStream(ctx, streamID, 0, 1)
		if err != nil {
			return "", fmt.Errorf("privacy: child of case %s: %w", caseID, err)
		}
		if len(first) == 0 {
			return "", fmt.Errorf("privacy: case %s has no report naming its child", caseID)
		}
		var r struct {
			ChildID string `json:"child_id"`
		}
		if err := json.Unmarshal(first[0].Data, &r); err != nil || r.ChildID == "" {
			return "", fmt.Errorf("privacy: the first event of case %s names no child", caseID)
		}
		child = r.ChildID
	}
	s.mu.Lock()
	s.childOf[caseID] = child
	s.mu.Unlock()
	return child, nil
}
