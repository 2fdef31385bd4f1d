package privacy

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
		return sealValue(key, aad(eventID, path), value, erasedValue(field, value)), nil
	})
}

// openFields decrypts what sealFields encrypted; without a key each field
// reads as erased. Fields stored in clear (events written before this
// package) are left as they are.
func openFields(data json.RawMessage, fields []Field, key *sealer, eventID uuid.UUID) (json.RawMessage, error) {
	return rewrite(data, fields, func(path string, _ Field, value json.RawMessage) (json.RawMessage, error) {
		return openValue(key, aad(eventID, path), value)
	})
}

// sealValue seals one JSON value under key, bound to ad, as the JSON string
// that stands in its place at rest. A key of nil stores only erased, what
// the value reads as once the key is gone (nil: null).
func sealValue(key *sealer, ad []byte, value, erased json.RawMessage) json.RawMessage {
	var out strings.Builder
	out.WriteString(`"` + sealPrefix)
	if key != nil {
		out.WriteString(base64.RawURLEncoding.EncodeToString(key.encrypt(ad, value)))
	}
	if erased != nil {
		out.WriteString(":" + base64.RawURLEncoding.EncodeToString(erased))
	}
	out.WriteString(`"`)
	return json.RawMessage(out.String())
}

// sealed reports whether a JSON value is one that sealValue made.
func sealed(value json.RawMessage) bool {
	return strings.HasPrefix(string(value), `"`+sealPrefix) && strings.HasSuffix(string(value), `"`) && len(value) > len(sealPrefix)+1
}

// openValue opens what sealValue sealed: the value, or without a key (or
// with an empty ciphertext) what it reads as after erasure. A value that
// is not sealed is given back as it is.
func openValue(key *sealer, ad []byte, value json.RawMessage) (json.RawMessage, error) {
	if !sealed(value) {
		return value, nil
	}
	body := string(value[len(sealPrefix)+1 : len(value)-1])
	ct64, erased64, _ := strings.Cut(body, ":")
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
	return key.decrypt(ad, ct)
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

// rewriter gives the replacement of one personal field's value, found at
// path: the field's path with each "[]" spelled as the element's index
// ("rectifications[2].description"), so that a sealed value is bound to
// its place in the event as well as to the event.
type rewriter func(path string, field Field, value json.RawMessage) (json.RawMessage, error)

// rewrite applies fn to each present, non-null personal field of a JSON
// object, found by its path, and splices the results into a copy of the
// object; members and elements it does not touch keep their bytes and
// order.
func rewrite(data json.RawMessage, fields []Field, fn rewriter) (json.RawMessage, error) {
	out, changed, err := rewriteObject(data, "", "", fields, fn)
	if err != nil {
		return nil, fmt.Errorf("privacy: event data: %w", err)
	}
	if !changed {
		return data, nil
	}
	return out, nil
}

// rewriteObject rewrites the members of obj that the fields' paths name
// below pattern (the paths' own spelling, with "[]") and path (where obj
// lies in the event, with indexes).
func rewriteObject(obj []byte, pattern, path string, fields []Field, fn rewriter) ([]byte, bool, error) {
	ms, err := members(obj)
	if err != nil {
		return nil, false, err
	}
	spans := make([]span, len(ms))
	for i, m := range ms {
		spans[i] = span{start: m.start, end: m.end, pattern: pattern + m.key, path: path + m.key}
	}
	return splice(obj, spans, fields, fn)
}

// rewriteArray rewrites each element of arr: its pattern is pattern+"[]".
func rewriteArray(arr []byte, pattern, path string, fields []Field, fn rewriter) ([]byte, bool, error) {
	es, err := elements(arr)
	if err != nil {
		return nil, false, err
	}
	spans := make([]span, len(es))
	for i, e := range es {
		spans[i] = span{start: e.start, end: e.end, pattern: pattern + "[]", path: path + "[" + strconv.Itoa(i) + "]"}
	}
	return splice(arr, spans, fields, fn)
}

// span is a value inside a JSON object or array: where its bytes lie, and
// the pattern and path it is found at.
type span struct {
	start, end    int
	pattern, path string
}

// splice replaces the values of b at spans that the fields name, or that
// hold such values further down.
func splice(b []byte, spans []span, fields []Field, fn rewriter) ([]byte, bool, error) {
	var out []byte
	copied := 0
	for _, sp := range spans {
		replacement, err := rewriteValue(b[sp.start:sp.end], sp.pattern, sp.path, fields, fn)
		if err != nil {
			return nil, false, err
		}
		if replacement == nil {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b)+len(b)/2)
		}
		out = append(append(out, b[copied:sp.start]...), replacement...)
		copied = sp.end
	}
	if out == nil {
		return b, false, nil
	}
	return append(out, b[copied:]...), true, nil
}

// rewriteValue is the replacement of one value found at pattern (nil: it
// stays as it is): fn's, when a field names the value itself; else the
// value with the fields below it rewritten, when it is an object or an
// array that the fields reach into.
func rewriteValue(value []byte, pattern, path string, fields []Field, fn rewriter) ([]byte, error) {
	var object, array bool
	for _, f := range fields {
		switch {
		case f.Path == pattern:
			if string(value) == "null" {
				return nil, nil
			}
			return fn(path, f, value)
		case strings.HasPrefix(f.Path, pattern+"."):
			object = true
		case strings.HasPrefix(f.Path, pattern+"[]"):
			array = true
		}
	}
	var (
		out     []byte
		changed bool
		err     error
	)
	switch {
	case object && len(value) > 0 && value[0] == '{':
		out, changed, err = rewriteObject(value, pattern+".", path+".", fields, fn)
	case array && len(value) > 0 && value[0] == '[':
		out, changed, err = rewriteArray(value, pattern, path, fields, fn)
	}
	if err != nil || !changed {
		return nil, err
	}
	return out, nil
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
