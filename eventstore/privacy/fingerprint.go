package privacy

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/google/uuid"
)

// A command's events carry a fingerprint of the request that caused them
// (eventstore.Metadata.RequestHash), so that a retry with the same
// idempotency key can be told from another request with it. The
// fingerprint is a keyed hash of the request's body, and a body about a
// child holds the child's personal data: whoever can compare a guessed
// body with it learns whether the guess was right. So in a stream that
// holds a subject's data the store seals the fingerprint under the
// subject's key, like a personal field, and an erasure destroys it with
// the rest. It then reads as "" (unknown), and a retry can no longer be
// confirmed.

// fingerprintField is where the metadata keeps the fingerprint.
var fingerprintField = []Field{{Path: "request_hash"}}

// sealFingerprint seals a request fingerprint under key (nil: the key was
// destroyed, and nothing of it is kept), bound to its event: it is stored
// as "sealed:v1:…" in place of the fingerprint.
func sealFingerprint(hash string, key *sealer, eventID uuid.UUID) string {
	value, _ := json.Marshal(hash)
	return strings.Trim(string(sealValue(key, fingerprintAAD(eventID), value, nil)), `"`)
}

// hasFingerprint reports whether stored metadata may hold a fingerprint.
func hasFingerprint(metadata json.RawMessage) bool {
	return bytes.Contains(metadata, []byte(`"request_hash"`))
}

// openFingerprint gives stored metadata with its fingerprint opened. Once
// the key is gone (key nil) the fingerprint reads as "": a sealed one, and
// one stored in clear before fingerprints were sealed, which the database
// keeps (the hash chain covers it) but the store no longer gives out.
func openFingerprint(metadata json.RawMessage, key *sealer, eventID uuid.UUID) (json.RawMessage, error) {
	out, _, err := rewriteObject(metadata, "", "", fingerprintField, func(_ string, _ Field, value json.RawMessage) (json.RawMessage, error) {
		if !sealed(value) {
			if key == nil {
				return json.RawMessage(`""`), nil
			}
			return value, nil
		}
		opened, err := openValue(key, fingerprintAAD(eventID), value)
		if err != nil || string(opened) != "null" {
			return opened, err
		}
		return json.RawMessage(`""`), nil
	})
	return out, err
}

// fingerprintAAD binds a sealed fingerprint to its event, apart from any
// field of the event's data.
func fingerprintAAD(eventID uuid.UUID) []byte {
	return []byte("careledger request fingerprint\x00" + eventID.String())
}
