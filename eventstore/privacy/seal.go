package privacy

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// A sealed field is stored in place of its value as one JSON string:
//
//	"sealed:v1:" base64url(nonce ‖ AES-256-GCM(value)) [ ":" base64url(erased) ]
//
// where value is the field's JSON, and erased, when present, the JSON the
// field reads as once the key is gone (a birth date's year); without it the
// field reads as null. A key destroyed before the seal leaves the
// ciphertext empty.
const sealPrefix = "sealed:v1:"

// sealFields encrypts the personal fields of one event's JSON data. A key
// of nil (the child's key was destroyed) stores only what the field reads as
// after erasure.
func sealFields(data json.RawMessage, fields []Field, key *sealer, eventID uuid.UUID) (json.RawMessage, error) {
	return rewrite(data, fields, func(path string, field Field, value json.RawMessage) (json.RawMessage, error) {
		var out strings.Builder
		out.WriteString(`"` + sealPrefix)
		if key != nil {
			out.WriteString(base64.RawURLEncoding.EncodeToString(key.encrypt(aad(eventID, path), value)))
		}
		if erased := erasedValue(field, value); erased != nil {
			out.WriteString(":" + base64.RawURLEncoding.EncodeToString(erased))
		}
		out.WriteString(`"`)
		return json.RawMessage(out.String()), nil
	})
}

// openFields decrypts what sealFields encrypted; without a key each field
// reads as erased. Fields stored in clear (events written before this
// package) are left as they are.
func openFields(data json.RawMessage, fields []Field, key *sealer, eventID uuid.UUID) (json.RawMessage, error) {
	return rewrite(data, fields, func(path string, _ Field, value json.RawMessage) (json.RawMessage, error) {
		body, ok := strings.CutPrefix(string(value), `"`+sealPrefix)
		if !ok || !strings.HasSuffix(body, `"`) {
			return value, nil
		}
		ct64, erased64, _ := strings.Cut(strings.TrimSuffix(body, `"`), ":")
		if key == nil || ct64 == "" {
			if erased64 == "" {
				return json.RawMessage("null"), nil
			}
			erased, err := base64.RawURLEncoding.DecodeString(erased64)
			if err != nil || !json.Valid(erased) {
				return nil, ErrTampered
			}
			return erased, nil
		}
		ct, err := base64.RawURLEncoding.DecodeString(ct64)
		if err != nil {
			return nil, ErrTampered
		}
		return key.decrypt(aad(eventID, path), ct)
	})
}

// erasedValue is what a field reads as after erasure: null, or for a date
// that keeps its year, January 1st of it.
func erasedValue(field Field, value json.RawMessage) json.RawMessage {
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
// object, found by its dotted path, and splices the results into a copy of
// the object; members it does not touch keep their bytes and order.
func rewrite(data json.RawMessage, fields []Field, fn func(path string, field Field, value json.RawMessage) (json.RawMessage, error)) (json.RawMessage, error) {
	out, changed, err := rewriteObject(data, "", fields, fn)
	if err != nil {
		return nil, fmt.Errorf("privacy: event data: %w", err)
	}
	if !changed {
		return data, nil
	}
	return out, nil
}

// rewriteObject rewrites the members of obj that the fields' paths (below
// prefix) name.
func rewriteObject(obj []byte, prefix string, fields []Field, fn func(string, Field, json.RawMessage) (json.RawMessage, error)) ([]byte, bool, error) {
	ms, err := members(obj)
	if err != nil {
		return nil, false, err
	}
	var out []byte
	copied := 0
	for _, m := range ms {
		path := prefix + m.key
		value := obj[m.start:m.end]
		var replacement []byte
		for _, f := range fields {
			switch {
			case f.Path == path && string(value) != "null":
				if replacement, err = fn(path, f, value); err != nil {
					return nil, false, err
				}
			case strings.HasPrefix(f.Path, path+".") && len(value) > 0 && value[0] == '{':
				inner, changed, err := rewriteObject(value, path+".", fields, fn)
				if err != nil {
					return nil, false, err
				}
				if changed {
					replacement = inner
				}
			default:
				continue
			}
			break
		}
		if replacement == nil {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(obj)+len(obj)/2)
		}
		out = append(append(out, obj[copied:m.start]...), replacement...)
		copied = m.end
	}
	if out == nil {
		return obj, false, nil
	}
	return append(out, obj[copied:]...), true, nil
}

func aad(eventID uuid.UUID, path string) []byte {
	return []byte("careledger field\x00" + eventID.String() + "\x00" + path)
}

// sealer seals and opens fields under one child's data key: an AES-256-GCM
// key and a nonce key, both derived from it.
type sealer struct {
	aead     cipher.AEAD
	nonceKey []byte
}

func newSealer(dataKey []byte) (*sealer, error) {
	aead, err := gcm(subkey(dataKey, "seal"))
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, nonceKey: subkey(dataKey, "nonce")}, nil
}

// encrypt seals a value with a synthetic nonce (an HMAC of the associated
// data and the value): the same value of the same field of the same event
// always seals alike, so an idempotent retry stores the same bytes, and two
// different values never share a nonce.
func (s *sealer) encrypt(ad, value []byte) []byte {
	mac := hmac.New(sha256.New, s.nonceKey)
	mac.Write(ad)
	mac.Write([]byte{0})
	mac.Write(value)
	nonce := mac.Sum(nil)[:s.aead.NonceSize()]
	return s.aead.Seal(append([]byte(nil), nonce...), nonce, value, ad)
}

// ErrTampered: a sealed field does not open with its key.
var ErrTampered = errors.New("privacy: a sealed field does not open")

func (s *sealer) decrypt(ad, ct []byte) (json.RawMessage, error) {
	n := s.aead.NonceSize()
	if len(ct) < n {
		return nil, ErrTampered
	}
	out, err := s.aead.Open(nil, ct[:n], ct[n:], ad)
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
