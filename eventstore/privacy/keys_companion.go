package privacy

import (
	"crypto/rand"
	"fmt"

	"github.com/careledger/careledger/eventstore"
)

// A data key may also be stored by the append that first seals with it,
// when the key table lives in the log's own database (KeysInLog): newKey
// makes the key and the row that stores it, the append writes the row in
// its own transaction (eventstore.Companion), and adopt caches the key once
// that has committed. The key is then durable exactly when the event sealed
// with it is, with no transaction of its own.
//
// The row is a plain INSERT: if another caller or process stored the
// subject's key (or its tombstone) first, the append fails whole with
// eventstore.ErrCompanionConflict and is sealed again with the stored key
// (Store.Append).

// newKey makes a data key for subject, not stored yet, and the row that
// stores it.
func (k *Keys) newKey(subject string) ([]byte, eventstore.Companion, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, eventstore.Companion{}, fmt.Errorf("keys: %w", err)
	}
	wrapped, err := k.wrap(subject, key, k.current)
	if err != nil {
		return nil, eventstore.Companion{}, err
	}
	return key, eventstore.Companion{
		Table:   "careledger_data_keys",
		Columns: []string{"subject", "wrapped", "master_id", "created_at"},
		Values:  []any{subject, wrapped, k.current, now()},
	}, nil
}

// adopt caches a key that an append's companion row stored, unless this
// process destroyed the subject's key meanwhile (the tombstone stands).
func (k *Keys) adopt(subject string, key []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if cached, known := k.cache[subject]; known && cached == nil {
		return
	}
	k.remember(subject, key)
}
