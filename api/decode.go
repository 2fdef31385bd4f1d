package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/careledger/careledger/domain"
)

// maxBody is the largest request body accepted (413 beyond).
const maxBody = 1 << 20

// decodeJSON decodes a JSON object into v, refusing unknown fields,
// trailing data and text that is not UTF-8. A field whose value does not
// parse is named in the error.
func decodeJSON(body []byte, v any) error {
	if !utf8.Valid(body) {
		return fmt.Errorf("%w: the body is not UTF-8", ErrMalformed)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: the body is empty; send a JSON object", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nameField(body, v, jsonError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	return checkText(body)
}

// jsonError turns a decoding error into one that names the field where it
// can: a vocabulary word or code that does not parse keeps the domain's
// *InvalidError; a value of the wrong JSON type and an unknown field become
// InvalidErrors naming the field; malformed JSON is ErrMalformed.
func jsonError(err error) error {
	var (
		inv    *domain.InvalidError
		typ    *json.UnmarshalTypeError
		syntax *json.SyntaxError
		tm     *time.ParseError
	)
	switch {
	case errors.As(err, &inv):
		return inv
	case errors.As(err, &typ):
		field := strings.TrimPrefix(typ.Field, ".")
		if field == "" {
			field = "body"
		}
		return &domain.InvalidError{Field: field, Message: fmt.Sprintf("must be a JSON %s", jsonKind(typ.Value, typ.Type.Kind().String()))}
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: JSON syntax error at byte %d: %v", ErrMalformed, syntax.Offset, err)
	case errors.As(err, &tm):
		return fmt.Errorf("%w: %q is not an RFC 3339 time with offset", ErrMalformed, tm.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the JSON ends too soon", ErrMalformed)
	}
	// encoding/json reports an unknown field only in its message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &domain.InvalidError{Field: strings.Trim(name, `"`), Message: "unknown field"}
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

func jsonKind(got, want string) string {
	switch want {
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "bool":
		return "boolean"
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "number"
	}
	if got == "" {
		return want
	}
	return "string"
}

// nameField makes an error that names no field, or only a vocabulary's
// generic one, name the top-level field of the body that fails to decode:
// each field is decoded alone into a fresh value of v's type.
func nameField(body []byte, v any, err error) error {
	var inv *domain.InvalidError
	if errors.As(err, &inv) && inv.Message == "unknown field" {
		return err
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return err
	}
	typ := reflect.TypeOf(v).Elem()
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		one, _ := json.Marshal(map[string]json.RawMessage{key: fields[key]})
		if json.Unmarshal(one, reflect.New(typ).Interface()) == nil {
			continue
		}
		switch {
		case inv != nil && (inv.Field == key || strings.HasPrefix(inv.Field, key+".")):
			return err
		case inv != nil:
			return &domain.InvalidError{Field: key, Message: inv.Message}
		case errors.Is(err, ErrMalformed):
			return &domain.InvalidError{Field: key, Message: strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": ")}
		}
		return err
	}
	return err
}
