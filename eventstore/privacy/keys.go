package privacy

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Keys keeps one data key per child (its subject), each wrapped by a master
// key (AES-256-GCM) in the table careledger_data_keys of the store's
// database. The master keys are given by the caller and never stored there.
// A destroyed key leaves a tombstone, so an erased child never gets a new
// key.
type Keys struct {
	db      *sql.DB
	sqlite  bool
	masters map[string][]byte // by MasterKeyID
	current string            // the master key new data keys are wrapped with

	mu    sync.Mutex
	cache map[string][]byte // subject → data key; nil: destroyed (live keys at most cachedKeys)
	// epoch is the number of destructions this process last saw in the
	// database (careledger_key_epoch), and checked when it last looked:
	// another process's erasure empties this one's cache of live keys
	// within epochCheck.
	epoch   int64
	checked time.Time
	// erasures counts the destructions this process has learnt of: its
	// own at once, another process's when freshen sees the epoch move.
	erasures int64

	creation keyCreation  // keys waiting to be created (keys_create.go)
	batches  atomic.Int64 // transactions that created keys, for tests
}

// epochCheck is how long a process trusts its cache of live data keys
// before it asks whether a key was destroyed elsewhere.
const epochCheck = 2 * time.Second

// ErrNoMasterKey: a data key is wrapped by a master key not given.
var ErrNoMasterKey = errors.New("the master key that wraps this data key is not available")

const keysSchema = `CREATE TABLE IF NOT EXISTS careledger_data_keys (
	subject      TEXT PRIMARY KEY,
	wrapped      TEXT,
	master_id    TEXT,
	created_at   TEXT NOT NULL,
	destroyed_at TEXT
)`

// MasterKeyID names a master key without revealing it.
func MasterKeyID(master []byte) string {
	sum := sha256.Sum256(append([]byte("careledger master key id\x00"), master...))
	return hex.EncodeToString(sum[:8])
}

// OpenKeys creates the key table if needed. masters are the master keys
// (32 bytes each): the first wraps new data keys; the others only unwrap
// (during and after a rotation). sqlite says the database is SQLite, whose
// destroyed keys are then overwritten on disk (secure_delete).
func OpenKeys(ctx context.Context, db *sql.DB, sqlite bool, masters ...[]byte) (*Keys, error) {
	if len(masters) == 0 {
		return nil, errors.New("keys: no master key")
	}
	k := &Keys{db: db, sqlite: sqlite, masters: map[string][]byte{}, cache: map[string][]byte{}}
	for i, m := range masters {
		if len(m) != 32 {
			return nil, errors.New("keys: a master key is 32 bytes")
		}
		id := MasterKeyID(m)
		k.masters[id] = m
		if i == 0 {
			k.current = id
		}
	}
	if err := migrateKeys(ctx, db, sqlite); err != nil {
		return nil, fmt.Errorf("keys: create table: %w", err)
	}
	return k, nil
}

// migrateKeys makes the key tables in one transaction; on PostgreSQL under
// the advisory lock every process takes while it makes tables
// (readdb.SchemaLock), since two servers starting at once on a fresh
// database otherwise fail on the second CREATE TABLE IF NOT EXISTS.
func migrateKeys(ctx context.Context, db *sql.DB, sqlite bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if !sqlite {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('careledger read models'))`); err != nil {
			return err
		}
	}
	for _, q := range []string{keysSchema, epochSchema,
		`INSERT INTO careledger_key_epoch (id, epoch) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// epochSchema counts the destructions of data keys, so that every process
// sharing the database learns of one (freshen).
const epochSchema = `CREATE TABLE IF NOT EXISTS careledger_key_epoch (
	id    INTEGER PRIMARY KEY,
	epoch BIGINT NOT NULL
)`

// freshen forgets the live keys this process holds when another process
// has destroyed a key since it last looked (at most every epochCheck, and
// once for each request marked WithFreshKeys: fresh.go).
func (k *Keys) freshen(ctx context.Context) error {
	k.mu.Lock()
	due := time.Since(k.checked) >= epochCheck
	k.mu.Unlock()
	if !due && !k.mustCheck(ctx) {
		return nil
	}
	var epoch int64
	if err := k.db.QueryRowContext(ctx, `SELECT epoch FROM careledger_key_epoch WHERE id = 1`).Scan(&epoch); err != nil {
		return fmt.Errorf("keys: read epoch: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if epoch != k.epoch {
		for subject, key := range k.cache {
			if key != nil {
				delete(k.cache, subject) // read again: it may be a tombstone now
			}
		}
		k.epoch = epoch
		k.erasures++
	}
	k.checked = time.Now()
	return nil
}

// Erasures counts the data keys destroyed that this process has learnt
// of: its own destructions at once, another process's within epochCheck
// (the time it trusts its cache of live keys). While the count stays put,
// every key this process opened data with is still live here, so a copy of
// opened personal data kept since is what a read would open now; once it
// moves, such a copy must be dropped (commands keeps one).
func (k *Keys) Erasures(ctx context.Context) (int64, error) {
	if err := k.freshen(ctx); err != nil {
		return 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.erasures, nil
}

// CurrentMasterID names the master key that wraps new data keys.
func (k *Keys) CurrentMasterID() string { return k.current }

// DataKey is the subject's data key. When the subject has none, create
// makes one (false: ok is false). ok is false too when the key was destroyed.
func (k *Keys) DataKey(ctx context.Context, subject string, create bool) (key []byte, ok bool, err error) {
	key, found, err := k.stored(ctx, subject)
	if err != nil {
		return nil, false, err
	}
	if !found && create {
		// Two writers may race to create it: the first row wins and both
		// get it. Keys wanted at once are created in one transaction.
		if key, err = k.create(ctx, subject); err != nil {
			return nil, false, err
		}
	}
	return key, key != nil, nil
}

// stored is the subject's key as stored, from the cache or the table:
// found is false when the subject has none, key nil when it was destroyed.
func (k *Keys) stored(ctx context.Context, subject string) (key []byte, found bool, err error) {
	if err := k.freshen(ctx); err != nil {
		return nil, false, err
	}
	k.mu.Lock()
	cached, known := k.cache[subject]
	k.mu.Unlock()
	if known {
		return cached, true, nil
	}
	key, found, err = k.load(ctx, subject)
	if err != nil || !found {
		return nil, found, err
	}
	k.mu.Lock()
	k.remember(subject, key)
	k.mu.Unlock()
	return key, true, nil
}

// remember caches a subject's key (nil: destroyed), making room under
// cachedKeys among the live keys: a tombstone is kept, so that a key
// created for a subject destroyed meanwhile is never cached (commitKeys).
// k.mu is held.
func (k *Keys) remember(subject string, key []byte) {
	if _, known := k.cache[subject]; !known {
		makeRoom(k.cache, cachedKeys, func(key []byte) bool { return key == nil })
	}
	k.cache[subject] = key
}

// load reads and unwraps a subject's key: found is false when there is no
// row; key is nil for a tombstone (and then cached as destroyed).
func (k *Keys) load(ctx context.Context, subject string) (key []byte, found bool, err error) {
	var wrapped, masterID sql.NullString
	err = k.db.QueryRowContext(ctx, `SELECT wrapped, master_id FROM careledger_data_keys WHERE subject = $1`, subject).Scan(&wrapped, &masterID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("keys: read key of %s: %w", subject, err)
	}
	if !wrapped.Valid {
		k.mu.Lock()
		k.remember(subject, nil)
		k.mu.Unlock()
		return nil, true, nil
	}
	key, err = k.unwrap(subject, wrapped.String, masterID.String)
	return key, true, err
}

// Destroy destroys the subject's data key for good (crypto-shredding),
// leaving a tombstone. On SQLite the old row is overwritten on disk and the
// WAL is checkpointed; on PostgreSQL the table is vacuumed. Copies in
// backups remain, useless without the master key.
func (k *Keys) Destroy(ctx context.Context, subject string) error {
	conn, err := k.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("keys: destroy key of %s: %w", subject, err)
	}
	defer conn.Close()
	if k.sqlite {
		if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return fmt.Errorf("keys: destroy key of %s: %w", subject, err)
		}
	}
	// The tombstone and the epoch move together: every other process
	// learns of the destruction (freshen) as surely as the row changes.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("keys: destroy key of %s: %w", subject, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO careledger_data_keys (subject, wrapped, master_id, created_at, destroyed_at)
		VALUES ($1, NULL, NULL, $2, $2)
		ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, master_id = NULL, destroyed_at = excluded.destroyed_at`, subject, now()); err != nil {
		return fmt.Errorf("keys: destroy key of %s: %w", subject, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE careledger_key_epoch SET epoch = epoch + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("keys: destroy key of %s: %w", subject, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("keys: destroy key of %s: %w", subject, err)
	}
	k.mu.Lock()
	k.remember(subject, nil)
	k.erasures++
	k.mu.Unlock()
	if k.sqlite {
		_, err = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	} else {
		_, err = conn.ExecContext(ctx, `VACUUM careledger_data_keys`)
	}
	if err != nil {
		return fmt.Errorf("keys: scrub destroyed key of %s: %w", subject, err)
	}
	return nil
}

// Rotate wraps every data key again with the current master key, in one
// transaction, and says how many it rewrapped. Keys wrapped by a master key
// not given fail the rotation (ErrNoMasterKey) and change nothing.
func (k *Keys) Rotate(ctx context.Context) (int, error) {
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("keys: rotate: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT subject, wrapped, master_id FROM careledger_data_keys
		WHERE wrapped IS NOT NULL AND master_id <> $1`, k.current)
	if err != nil {
		return 0, fmt.Errorf("keys: rotate: %w", err)
	}
	type rewrap struct{ subject, wrapped string }
	var todo []rewrap
	for rows.Next() {
		var subject, wrapped, masterID string
		if err := rows.Scan(&subject, &wrapped, &masterID); err != nil {
			rows.Close()
			return 0, fmt.Errorf("keys: rotate: %w", err)
		}
		key, err := k.unwrap(subject, wrapped, masterID)
		if err != nil {
			rows.Close()
			return 0, err
		}
		again, err := k.wrap(subject, key, k.current)
		if err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, rewrap{subject, again})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("keys: rotate: %w", err)
	}
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE careledger_data_keys SET wrapped = $1, master_id = $2 WHERE subject = $3`,
			r.wrapped, k.current, r.subject); err != nil {
			return 0, fmt.Errorf("keys: rotate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("keys: rotate: %w", err)
	}
	return len(todo), nil
}

// wrap seals a data key with a master key; the subject is bound in as
// associated data, so a wrapped key cannot be moved to another child.
func (k *Keys) wrap(subject string, key []byte, masterID string) (string, error) {
	aead, err := gcm(k.masters[masterID])
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("keys: %w", err)
	}
	return base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, key, []byte("careledger data key\x00"+subject))), nil
}

func (k *Keys) unwrap(subject, wrapped, masterID string) ([]byte, error) {
	master, ok := k.masters[masterID]
	if !ok {
		return nil, fmt.Errorf("keys: key of %s is wrapped by master key %s: %w", subject, masterID, ErrNoMasterKey)
	}
	aead, err := gcm(master)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(wrapped)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, fmt.Errorf("keys: key of %s is malformed", subject)
	}
	key, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte("careledger data key\x00"+subject))
	if err != nil {
		return nil, fmt.Errorf("keys: key of %s does not open with master key %s: %w", subject, masterID, err)
	}
	return key, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return cipher.NewGCM(block)
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
