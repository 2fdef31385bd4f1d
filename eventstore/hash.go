package eventstore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Hash is a SHA-256 digest in the event chain.
type Hash [32]byte

// String is the lower-case hex form.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the all-zero hash (the prev_hash of the first event).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes the hash as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes a hex hash.
func (h *Hash) UnmarshalText(b []byte) error {
	parsed, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

// ParseHash decodes a 64-character hex hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return Hash{}, fmt.Errorf("hash %q: want 64 hex characters", s)
	}
	copy(h[:], b)
	return h, nil
}

// HashFromBytes converts a stored 32-byte digest.
func HashFromBytes(b []byte) (Hash, error) {
	var h Hash
	if len(b) != len(h) {
		return Hash{}, fmt.Errorf("stored hash has %d bytes, want %d", len(b), len(h))
	}
	copy(h[:], b)
	return h, nil
}

const envelopeTag = "careledger.event.v1"

// ChainHash computes an event's hash from the previous event's hash and the
// event as stored:
//
//	hash = SHA-256(prev_hash ‖ canonical envelope ‖ data)
//
// The canonical envelope is the tag "careledger.event.v1" followed by, in
// this order, global position (uint64), event id (16 bytes), stream id,
// stream type, stream version (uint64), type, schema version (uint32),
// occurred_at and recorded_at (int64 Unix microseconds) and the metadata
// bytes; data follows. Strings and byte fields are prefixed by their length
// as a uint32; all integers are big-endian. The fields are the stored bytes,
// so data that is ciphertext is hashed as ciphertext.
func ChainHash(prev Hash, e Event) Hash {
	h := sha256.New()
	var n [8]byte
	putBytes := func(b []byte) {
		binary.BigEndian.PutUint32(n[:4], uint32(len(b)))
		h.Write(n[:4])
		h.Write(b)
	}
	putUint64 := func(v uint64) {
		binary.BigEndian.PutUint64(n[:], v)
		h.Write(n[:])
	}
	h.Write(prev[:])
	putBytes([]byte(envelopeTag))
	putUint64(uint64(e.GlobalPosition))
	h.Write(e.ID[:])
	putBytes([]byte(e.StreamID))
	putBytes([]byte(e.StreamType))
	putUint64(uint64(e.StreamVersion))
	putBytes([]byte(e.Type))
	binary.BigEndian.PutUint32(n[:4], uint32(e.SchemaVersion))
	h.Write(n[:4])
	putUint64(uint64(e.OccurredAt.UnixMicro()))
	putUint64(uint64(e.RecordedAt.UnixMicro()))
	putBytes(e.Metadata)
	putBytes(e.Data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// Anchor is a point of the chain: a position and the hash of the event
// there. The zero Anchor stands for the empty log.
type Anchor struct {
	Position int64 `json:"position"`
	Hash     Hash  `json:"hash"`
}

// Seal is the store's own signed record of its chain head, kept outside the
// events table and rewritten in the same transaction as every append, so
// that removing the last events (or adding forged ones after them) shows.
type Seal struct {
	Anchor
	SealedAt time.Time
	// MAC is HMAC-SHA256 over the anchor and time with the store's seal key;
	// empty when the store has no seal key.
	MAC []byte
}

const sealTag = "careledger.seal.v1"

// SealMAC computes the MAC of a seal with key; nil when key is empty.
func SealMAC(key []byte, a Anchor, sealedAt time.Time) []byte {
	if len(key) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(sealTag))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(a.Position))
	m.Write(n[:])
	m.Write(a.Hash[:])
	binary.BigEndian.PutUint64(n[:], uint64(sealedAt.UnixMicro()))
	m.Write(n[:])
	return m.Sum(nil)
}

// Timestamp normalises a time the way the store keeps it: UTC, whole microseconds.
func Timestamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
