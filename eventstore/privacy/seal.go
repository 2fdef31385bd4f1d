package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/careledger/careledger/domain"
)

// sealed is how an encrypted field is stored in place of its value: the
// ciphertext (nonce ‖ AES-256-GCM sealed JSON value), and what the field
// reads as once the key is gone (null, or a birth date's year).
type sealed struct {
	Enc    string          `json:"$enc"`
	CT     []byte          `json:"ct,omitempty"`
	Erased json.RawMessage `json:"erased,omitempty"`
}

const sealVersion = "careledger/v1"

// sealFields encrypts the personal fields of one event's JSON data. A key
// of nil (the child's key was destroyed) stores only what the field reads as
// after erasure.
func sealFields(data json.RawMessage, fields []domain.PersonalField, key []byte, eventID uuid.UUID) (json.RawMessage, error) {
	return rewrite(data, fields, func(path string, field domain.PersonalField, value json.RawMessage) (json.RawMessage, error) {
		s := sealed{Enc: sealVersion, Erased: erasedValue(field, value)}
		if key != nil {
			ct, err := encrypt(key, aad(eventID, path), value)
			if err != nil {
				return nil, err
			}
			s.CT = ct
		}
		return json.Marshal(s)
	})
}

// openFields decrypts what sealFields encrypted; without a key each field
// reads as erased. Fields stored in clear (events written before this
// package) are left as they are.
func openFields(data json.RawMessage, fields []domain.PersonalField, key []byte, eventID uuid.UUID) (json.RawMessage, error) {
	return rewrite(data, fields, func(path string, _ domain.PersonalField, value json.RawMessage) (json.RawMessage, error) {
		var s sealed
		if json.Unmarshal(value, &s) != nil || s.Enc != sealVersion {
			return value, nil
		}
		if key == nil || s.CT == nil {
			if s.Erased == nil {
				return json.RawMessage("null"), nil
			}
			return s.Erased, nil
		}
		return decrypt(key, aad(eventID, path), s.CT)
	})
}

// erasedValue is what a field reads as after erasure: null, or for a date
// that keeps its year, January 1st of it.
func erasedValue(field domain.PersonalField, value json.RawMessage) json.RawMessage {
	if !field.KeepYear {
		return nil
	}
	var date string
	if json.Unmarshal(value, &date) != nil || len(date) < 4 {
		return nil
	}
	year, _ := json.Marshal(date[:4] + "-01-01")
	return year
}

// rewrite applies fn to each present, non-null personal field of a JSON
// object, found by its dotted path.
func rewrite(data json.RawMessage, fields []domain.PersonalField, fn func(path string, field domain.PersonalField, value json.RawMessage) (json.RawMessage, error)) (json.RawMessage, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("privacy: event data is not a JSON object: %w", err)
	}
	changed := false
	for _, f := range fields {
		ok, err := rewritePath(root, strings.Split(f.Path, "."), func(v json.RawMessage) (json.RawMessage, error) {
			return fn(f.Path, f, v)
		})
		if err != nil {
			return nil, err
		}
		changed = changed || ok
	}
	if !changed {
		return data, nil
	}
	return json.Marshal(root)
}

func rewritePath(obj map[string]json.RawMessage, path []string, fn func(json.RawMessage) (json.RawMessage, error)) (bool, error) {
	v, ok := obj[path[0]]
	if !ok || string(v) == "null" {
		return false, nil
	}
	if len(path) == 1 {
		out, err := fn(v)
		if err != nil {
			return false, err
		}
		obj[path[0]] = out
		return true, nil
	}
	var inner map[string]json.RawMessage
	if json.Unmarshal(v, &inner) != nil {
		return false, nil
	}
	changed, err := rewritePath(inner, path[1:], fn)
	if err != nil || !changed {
		return false, err
	}
	raw, err := json.Marshal(inner)
	if err != nil {
		return false, err
	}
	obj[path[0]] = raw
	return true, nil
}

func aad(eventID uuid.UUID, path string) []byte {
	return []byte("careledger field\x00" + eventID.String() + "\x00" + path)
}

// encrypt seals a value under a data key with a synthetic nonce (an HMAC of
// the associated data and the value): the same value of the same field of
// the same event always seals alike, so an idempotent retry stores the same
// bytes, and two different values never share a nonce.
func encrypt(key, ad []byte, value []byte) ([]byte, error) {
	aead, err := gcm(subkey(key, "seal"))
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, subkey(key, "nonce"))
	mac.Write(ad)
	mac.Write([]byte{0})
	mac.Write(value)
	nonce := mac.Sum(nil)[:aead.NonceSize()]
	return aead.Seal(append([]byte(nil), nonce...), nonce, value, ad), nil
}

// ErrTampered: a sealed field does not open with its key.
var ErrTampered = errors.New("privacy: a sealed field does not open")

func decrypt(key, ad, ct []byte) (json.RawMessage, error) {
	aead, err := gcm(subkey(key, "seal"))
	if err != nil {
		return nil, err
	}
	if len(ct) < aead.NonceSize() {
		return nil, ErrTampered
	}
	out, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], ad)
	if err != nil {
		return nil, ErrTampered
	}
	return out, nil
}

func subkey(key []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("careledger subkey\x00" + purpose))
	return mac.Sum(nil)
}
