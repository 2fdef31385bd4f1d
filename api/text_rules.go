package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"unicode"

	"github.com/careledger/careledger/domain"
)

// checkText applies API.md's text rules to every string of a JSON body
// (API.md Conventions): a control character other than newline and tab, or
// a bidirectional control (embeddings, overrides, isolates: U+202A–U+202E,
// U+2066–U+2069), is refused in every field, since it can hide or reorder
// what an inspector reads in a report. The error names the first such
// field, as a path ("child.guardian.name", "rectifications[0].description").
// Blank required text is the domain's to refuse (it knows which are
// required).
func checkText(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil // decodeJSON has judged the syntax already
	}
	return walkText("", v)
}

func walkText(path string, v any) error {
	switch x := v.(type) {
	case string:
		if r, ok := badRune(x); ok {
			field := path
			if field == "" {
				field = "body"
			}
			return &domain.InvalidError{Field: field, Message: fmt.Sprintf("holds the character U+%04X (control or bidirectional "+
				"formatting characters other than newline and tab are refused)", r)}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			e := x[k]
			if r, ok := badRune(k); ok {
				return &domain.InvalidError{Field: "body", Message: fmt.Sprintf("a member name holds the character U+%04X", r)}
			}
			name := k
			if path != "" {
				name = path + "." + k
			}
			if err := walkText(name, e); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := walkText(path+"["+strconv.Itoa(i)+"]", e); err != nil {
				return err
			}
		}
	}
	return nil
}

// badRune is the first rune of s the text rules refuse.
func badRune(s string) (rune, bool) {
	for _, r := range s {
		if bidiControl(r) || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return r, true
		}
	}
	return 0, false
}

func bidiControl(r rune) bool { return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) }
