package privacy

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Creating data keys is a group commit, like the store's appends: a
// DataKey call that must create its subject's key queues it; the first
// caller that finds no transaction under way inserts every queued key in
// one transaction, and whoever queued meanwhile goes into the next one. On
// SQLite the keys share the one database write lock (and its fsync) with
// the event store (the read models have a file of their own), so N
// children registered at once cost one transaction here, not N. With
// KeysInLog a new key goes in with its child's first append instead, in
// the append's transaction (keys_companion.go).
//
// Every guarantee of a key made alone holds for each key of a batch:
//   - a key is durable before DataKey returns it (the transaction has
//     committed), since the caller seals an event with it at once;
//   - the insert never replaces a row (ON CONFLICT DO NOTHING), so a
//     tombstone stays one and two processes racing for one subject end with
//     the one key that was stored first; RETURNING names the rows inserted,
//     and only the others are read back, in the same transaction (on
//     PostgreSQL the insert waits for a racing transaction's outcome, and
//     the read, a statement of its own, sees its row);
//   - an error reaches every caller whose key was in the batch.

// maxKeysPerBatch bounds the keys one transaction creates (and so the
// parameters of one INSERT: 4 a key).
const maxKeysPerBatch = 256

// keyCreation is the queue of keys to create and whether a transaction
// is under way.
type keyCreation struct {
	mu      sync.Mutex
	queue   []*keyRequest
	running bool
}

// keyRequest is one caller waiting for a subject's key.
type keyRequest struct {
	subject string
	done    chan struct{}
	key     []byte // the stored key; nil when the subject's key was destroyed
	err     error
}

// create makes the subject's data key, or finds the one another caller
// or process stored first (nil when it was destroyed).
func (k *Keys) create(ctx context.Context, subject string) ([]byte, error) {
	r := &keyRequest{subject: subject, done: make(chan struct{})}
	q := &k.creation
	q.mu.Lock()
	q.queue = append(q.queue, r)
	lead := !q.running
	q.running = true
	q.mu.Unlock()
	if lead {
		// The batch outlives a caller that gives up: others wait on it.
		k.createQueued(context.WithoutCancel(ctx), false)
	}
	select {
	case <-r.done:
		return r.key, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("keys: create key of %s: %w", subject, ctx.Err())
	}
}

// createQueued commits the queued keys, a batch at a time. The caller that
// led commits one batch (its own) and leaves the rest to a goroutine, so
// that it is not kept waiting for keys that queued after its own.
func (k *Keys) createQueued(ctx context.Context, background bool) {
	q := &k.creation
	for {
		q.mu.Lock()
		n := min(len(q.queue), maxKeysPerBatch)
		if n == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		batch := q.queue[:n:n]
		q.queue = q.queue[n:]
		q.mu.Unlock()
		k.commitKeys(ctx, batch)
		if !background {
			go k.createQueued(ctx, true)
			return
		}
	}
}

// commitKeys creates the keys of one batch in one transaction and answers
// every request in it.
func (k *Keys) commitKeys(ctx context.Context, batch []*keyRequest) {
	k.batches.Add(1)
	keys, err := k.insertKeys(ctx, batch)
	if err == nil {
		k.mu.Lock()
		for subject, s := range keys {
			if cached, known := k.cache[subject]; s.err != nil || known && cached == nil {
				continue // not opened, or destroyed meanwhile in this process
			}
			k.remember(subject, s.key)
		}
		k.mu.Unlock()
	}
	for _, r := range batch {
		if err != nil {
			r.err = err
		} else {
			r.key, r.err = keys[r.subject].key, keys[r.subject].err
		}
		close(r.done)
	}
}

// storedKey is a subject's key as stored: nil for a tombstone; err when it
// does not unwrap.
type storedKey struct {
	key []byte
	err error
}

// insertKeys stores a fresh key for each subject of the batch that has
// none and reads back the others' (a racing caller or process stored them
// first): the keys as stored, by subject.
func (k *Keys) insertKeys(ctx context.Context, batch []*keyRequest) (map[string]storedKey, error) {
	fresh := map[string][]byte{}
	var values []string
	var args []any
	created := now()
	for _, r := range batch {
		if _, dup := fresh[r.subject]; dup {
			continue
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("keys: %w", err)
		}
		wrapped, err := k.wrap(r.subject, key, k.current)
		if err != nil {
			return nil, err
		}
		fresh[r.subject] = key
		n := len(args)
		values = append(values, fmt.Sprintf("($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4))
		args = append(args, r.subject, wrapped, k.current, created)
	}
	fail := func(err error) (map[string]storedKey, error) {
		return nil, fmt.Errorf("keys: create %d data keys: %w", len(fresh), err)
	}
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `INSERT INTO careledger_data_keys (subject, wrapped, master_id, created_at) VALUES `+
		strings.Join(values, ", ")+` ON CONFLICT (subject) DO NOTHING RETURNING subject`, args...)
	if err != nil {
		return fail(err)
	}
	inserted := map[string]bool{}
	for rows.Next() {
		var subject string
		if err := rows.Scan(&subject); err != nil {
			rows.Close()
			return fail(err)
		}
		inserted[subject] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	stored := make(map[string]storedKey, len(fresh))
	var others []any
	for subject, key := range fresh {
		if inserted[subject] {
			stored[subject] = storedKey{key: key}
			continue
		}
		others = append(others, subject)
	}
	if len(others) > 0 {
		if err := k.readBack(ctx, tx, others, stored); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return stored, nil
}

// readBack reads the keys another caller or process stored first (or the
// tombstones) into stored.
func (k *Keys) readBack(ctx context.Context, tx *sql.Tx, subjects []any, stored map[string]storedKey) error {
	if err := k.readStored(ctx, tx, subjects, stored); err != nil {
		return err
	}
	for _, s := range subjects {
		if _, ok := stored[s.(string)]; !ok {
			return fmt.Errorf("the key of %s was neither inserted nor found", s)
		}
	}
	return nil
}

// readStored reads the stored keys of subjects (strings) into stored,
// unwrapped (with the error if one cannot be), a destroyed key as its
// tombstone (storedKey{}); a subject without a row is left out.
func (k *Keys) readStored(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, subjects []any, stored map[string]storedKey) error {
	marks := make([]string, len(subjects))
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT subject, wrapped, master_id FROM careledger_data_keys WHERE subject IN (`+
		strings.Join(marks, ", ")+`)`, subjects...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var subject string
		var wrapped, masterID sql.NullString
		if err := rows.Scan(&subject, &wrapped, &masterID); err != nil {
			return err
		}
		if !wrapped.Valid {
			stored[subject] = storedKey{}
			continue
		}
		key, err := k.unwrap(subject, wrapped.String, masterID.String)
		stored[subject] = storedKey{key: key, err: err}
	}
	return rows.Err()
}
