package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/dberr"
)

// Store is an event store whose events' personal fields are encrypted at
// rest under their subject's data key. It appends and reads like the store
// it wraps; Verify, Head and Stats are the wrapped store's (the hash chain
// covers the ciphertext).
type Store struct {
	eventstore.Store
	keys    *Keys
	catalog Catalog
	// inLog is the store beneath when it stores new data keys with the
	// appends that first seal with them (KeysInLog); nil otherwise.
	inLog eventstore.CompanionStore

	mu        sync.Mutex
	subjectOf map[string]string  // stream id → subject, for streams whose first event names it (at most cachedSubjects)
	sealers   map[string]*sealer // by data key (at most cachedSealers)
}

// Wrap makes a store that encrypts personal data on its way into inner.
// The catalog says which fields are personal and whose they are.
func Wrap(inner eventstore.Store, keys *Keys, catalog Catalog, opts ...Option) *Store {
	s := &Store{Store: inner, keys: keys, catalog: catalog, subjectOf: map[string]string{}, sealers: map[string]*sealer{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Option is a choice made when wrapping a store.
type Option func(*Store)

// KeysInLog says that the keys' table lives in the database of the log
// beneath (SQLite's file, PostgreSQL's database): a new data key is then
// stored by the append that first seals with it, in that append's
// transaction (keys_companion.go), rather than in one of its own first. A
// store beneath that cannot write companion rows (KurrentDB) keeps the
// transaction of its own.
func KeysInLog(s *Store) {
	s.inLog, _ = s.Store.(eventstore.CompanionStore)
}

// Unwrap is the store underneath (for its backend's own handles).
func (s *Store) Unwrap() eventstore.Store { return s.Store }

// Keys is the key service the store encrypts with.
func (s *Store) Keys() *Keys { return s.keys }

// Append encrypts each event's personal fields, and the fingerprint of
// the request that caused it (metadata's request_hash), then appends. An
// erasure destroys the subject's key before its event is appended, so that
// whatever happens next the data is gone; a retry finds it gone already.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	stored, made, err := s.append(ctx, stream, expected, events, s.inLog != nil)
	if errors.Is(err, eventstore.ErrCompanionConflict) || errors.Is(err, eventstore.ErrEventIDReused) && s.storedSince(ctx, made) {
		// Another append, here or in another process, stored the subject's
		// key (or its tombstone) first: seal with that one. When that
		// append was this one's first attempt, still in flight when this
		// retry looked for the key, its events are stored sealed under the
		// key it made: sealed under that key, this one is their retry.
		stored, _, err = s.append(ctx, stream, expected, events, false)
	}
	if err != nil {
		return nil, err
	}
	return s.open(ctx, stored)
}

// append seals the events and appends them. With withKey, a subject that
// has no data key gets one stored by the append itself (KeysInLog), and
// made names those subjects; without, in a transaction of its own first.
func (s *Store) append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events []eventstore.NewEvent, withKey bool) (stored []eventstore.Event, made []string, err error) {
	sealedEvents := make([]eventstore.NewEvent, len(events))
	seen := map[string]string{}
	var keys newKeys
	for i, e := range events {
		if e.ID == uuid.Nil {
			// A sealed field is bound to its event's id: give it the id
			// the store would.
			id, err := uuid.NewV7()
			if err != nil {
				return nil, nil, fmt.Errorf("privacy: event id: %w", err)
			}
			e.ID = id
		}
		subject, err := s.subject(ctx, seen, stream.ID, e.Type, e.Data)
		if err != nil {
			return nil, nil, err
		}
		// The keys live in the store's database: a full disk refuses a new
		// key as it refuses the event, and says so alike.
		erases := s.catalog.Erases(e.Type)
		if subject != "" && erases {
			if err := s.keys.Destroy(ctx, subject); err != nil {
				return nil, nil, dberr.Translate(err)
			}
		}
		fields := s.catalog.Personal(e.Type)
		// The erasure's own fingerprint stays in clear: its request names
		// only the erasure's reason, which stays readable anyway, and a
		// retried erasure must still be told from another request.
		fingerprint := e.Metadata.RequestHash != "" && !erases
		if subject != "" && (len(fields) > 0 || fingerprint) {
			key, err := s.appendSealer(ctx, subject, withKey, &keys)
			if err != nil {
				return nil, nil, dberr.Translate(err)
			}
			if len(fields) > 0 {
				if e.Data, err = sealFields(e.Data, fields, key, e.ID); err != nil {
					// Data that is not a JSON object cannot be sealed, nor stored.
					return nil, nil, fmt.Errorf("privacy: seal %s: %w: %v", e.Type, eventstore.ErrInvalidEvent, err)
				}
			}
			if fingerprint {
				e.Metadata.RequestHash = sealFingerprint(e.Metadata.RequestHash, key, e.ID)
			}
		}
		sealedEvents[i] = e
	}
	if len(keys.rows) == 0 {
		stored, err = s.Store.Append(ctx, stream, expected, sealedEvents...)
		return stored, nil, err
	}
	for subject := range keys.keys {
		made = append(made, subject)
	}
	if stored, err = s.inLog.AppendWith(ctx, stream, expected, keys.rows, sealedEvents...); err != nil {
		return nil, made, err
	}
	for subject, key := range keys.keys {
		s.keys.adopt(subject, key)
	}
	return stored, made, nil
}

// storedSince reports whether a key is stored now for one of the subjects
// whose keys an append made (and did not store).
func (s *Store) storedSince(ctx context.Context, subjects []string) bool {
	for _, subject := range subjects {
		if _, found, err := s.keys.stored(ctx, subject); err == nil && found {
			return true
		}
	}
	return false
}

// newKeys are the data keys an append makes, by subject, and the rows
// that store them with it.
type newKeys struct {
	keys map[string][]byte
	rows []eventstore.Companion
}

// appendSealer is the sealer an append seals a subject's data with. A
// subject without a data key gets one: with withKey, made here and stored
// by the append (made); else stored at once (Keys.DataKey).
func (s *Store) appendSealer(ctx context.Context, subject string, withKey bool, made *newKeys) (*sealer, error) {
	if !withKey {
		return s.sealer(ctx, subject, true)
	}
	if key, ok := made.keys[subject]; ok {
		return s.sealerOf(key)
	}
	stored, found, err := s.keys.stored(ctx, subject)
	if err != nil {
		return nil, err
	}
	if found {
		return s.sealerOf(stored)
	}
	key, row, err := s.keys.newKey(subject)
	if err != nil {
		return nil, err
	}
	if made.keys == nil {
		made.keys = map[string][]byte{}
	}
	made.keys[subject], made.rows = key, append(made.rows, row)
	return s.sealerOf(key)
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

// open decrypts the personal fields and the request fingerprints of
// stored events, in place of a copy.
func (s *Store) open(ctx context.Context, events []eventstore.Event) ([]eventstore.Event, error) {
	// What each event holds sealed, and under whose key ("" for none);
	// their keys are then read together (Keys.Prefetch).
	type sealed struct {
		subject     string
		fields      []Field
		fingerprint bool
	}
	plan := make([]sealed, len(events))
	var wanted []string
	seen := map[string]string{}
	for i, e := range events {
		fields := s.catalog.Personal(e.Type)
		fingerprint := hasFingerprint(e.Metadata) && !s.catalog.Erases(e.Type)
		if len(fields) == 0 && !fingerprint {
			continue
		}
		subject, err := s.subject(ctx, seen, e.StreamID, e.Type, e.Data)
		if err != nil {
			return nil, err
		}
		plan[i] = sealed{subject: subject, fields: fields, fingerprint: fingerprint}
		if subject != "" {
			wanted = append(wanted, subject)
		}
	}
	if len(wanted) > 1 {
		if err := s.keys.Prefetch(ctx, wanted); err != nil {
			return nil, err
		}
	}
	var out []eventstore.Event
	for i, e := range events {
		p := plan[i]
		if p.subject == "" {
			continue
		}
		key, err := s.sealer(ctx, p.subject, false)
		if err != nil {
			return nil, err
		}
		data, meta := e.Data, e.Metadata
		if len(p.fields) > 0 {
			if data, err = openFields(e.Data, p.fields, key, e.ID); err != nil {
				return nil, fmt.Errorf("privacy: open event %d: %w", e.GlobalPosition, err)
			}
		}
		if p.fingerprint {
			if meta, err = openFingerprint(e.Metadata, key, e.ID); err != nil {
				return nil, fmt.Errorf("privacy: open the metadata of event %d: %w", e.GlobalPosition, err)
			}
		}
		if out == nil {
			out = append([]eventstore.Event(nil), events...)
		}
		out[i].Data, out[i].Metadata = data, meta
	}
	if out == nil {
		return events, nil
	}
	return out, nil
}

// sealer is the sealer of a subject's data key (nil when the subject has
// none or it was destroyed); create makes the key when the subject has none.
func (s *Store) sealer(ctx context.Context, subject string, create bool) (*sealer, error) {
	key, _, err := s.keys.DataKey(ctx, subject, create)
	if err != nil {
		return nil, err
	}
	return s.sealerOf(key)
}

// sealerOf is the sealer of a data key (nil for none: destroyed).
func (s *Store) sealerOf(key []byte) (*sealer, error) {
	if key == nil {
		return nil, nil
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
	makeRoom(s.sealers, cachedSealers, nil)
	s.sealers[string(key)] = sl
	return sl, nil
}

// subject is the data subject whose personal data an event of a stream
// holds, as the catalog says: the one the stream id names, or the one the
// event that opens the stream names ("" for a stream that holds no one's).
// seen holds the subjects found for one call (an append, a page read):
// the process's cache (subjectOf) may drop one meanwhile, and an append's
// later events must find the subject its opening event named before that
// event is in the store.
func (s *Store) subject(ctx context.Context, seen map[string]string, streamID, eventType string, data json.RawMessage) (string, error) {
	named := s.catalog.Subject(streamID)
	if named.ID != "" || named.OpenedBy == "" {
		return named.ID, nil
	}
	if subject, known := seen[streamID]; known {
		return subject, nil
	}
	s.mu.Lock()
	subject, known := s.subjectOf[streamID]
	s.mu.Unlock()
	if known {
		seen[streamID] = subject
		return subject, nil
	}
	if eventType == named.OpenedBy {
		var ok bool
		if subject, ok = subjectIn(data, named.Member); !ok && !named.Optional {
			return "", fmt.Errorf("privacy: the %s event of stream %s names no subject in %q", eventType, streamID, named.Member)
		}
	} else {
		first, err := s.Store.ReadStream(ctx, streamID, 0, 1)
		if err != nil {
			return "", fmt.Errorf("privacy: subject of stream %s: %w", streamID, err)
		}
		if len(first) == 0 {
			return "", fmt.Errorf("privacy: stream %s has no %s event naming its subject", streamID, named.OpenedBy)
		}
		var ok bool
		if subject, ok = subjectIn(first[0].Data, named.Member); !ok && !named.Optional {
			return "", fmt.Errorf("privacy: the first event of stream %s names no subject in %q", streamID, named.Member)
		}
	}
	s.mu.Lock()
	if _, known := s.subjectOf[streamID]; !known {
		makeRoom(s.subjectOf, cachedSubjects, nil)
	}
	s.subjectOf[streamID] = subject
	s.mu.Unlock()
	seen[streamID] = subject
	return subject, nil
}
