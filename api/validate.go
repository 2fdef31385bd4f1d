package api

import (
	"time"

	"github.com/careledger/careledger/domain"
)

// required reports the first of the named fields that is missing; a
// present field is given as true.
func required(fields ...field) error {
	for _, f := range fields {
		if !f.present {
			return &domain.InvalidError{Field: f.name, Message: "is required"}
		}
	}
	return nil
}

type field struct {
	name    string
	present bool
}

// has names a field and whether the request gave it.
func has(name string, present bool) field { return field{name: name, present: present} }

// hasTime names a time field; the zero time is missing.
func hasTime(name string, t time.Time) field { return field{name: name, present: !t.IsZero()} }

// hasText names a text field; the empty string is missing.
func hasText(name, s string) field { return field{name: name, present: s != ""} }
