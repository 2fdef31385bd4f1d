package domain

import "fmt"

// Jurisdiction is an administrative division code (行政区划代码) or a prefix
// of one: province (2 digits), city (4), county (6), township (9), village
// (12); or "all", which covers every code. A principal scoped to a prefix
// sees and acts on everything whose code starts with it.
type Jurisdiction struct{ code string }

// All covers every code.
var All = Jurisdiction{code: "all"}

// ParseJurisdiction accepts "all" or a code of 2, 4, 6, 9 or 12 digits.
func ParseJurisdiction(s string) (Jurisdiction, error) {
	if s == "all" {
		return All, nil
	}
	switch len(s) {
	case 2, 4, 6, 9, 12:
	default:
		return Jurisdiction{}, &InvalidError{Field: "jurisdiction", Message: fmt.Sprintf("%q is neither \"all\" nor a division code of 2, 4, 6, 9 or 12 digits", s)}
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return Jurisdiction{}, &InvalidError{Field: "jurisdiction", Message: fmt.Sprintf("%q: a division code has only digits", s)}
		}
	}
	return Jurisdiction{code: s}, nil
}

// ParsePlace accepts only a full 12-digit village/community code: where a
// child lives, where a case belongs.
func ParsePlace(s string) (Jurisdiction, error) {
	j, err := ParseJurisdiction(s)
	if err != nil {
		return Jurisdiction{}, err
	}
	if !j.IsPlace() {
		return Jurisdiction{}, &InvalidError{Field: "jurisdiction", Message: fmt.Sprintf("%q: a child's place is a 12-digit village or community code", s)}
	}
	return j, nil
}

// String is the code, or "all".
func (j Jurisdiction) String() string { return j.code }

// IsZero reports whether no jurisdiction is set.
func (j Jurisdiction) IsZero() bool { return j.code == "" }

// IsPlace reports whether j is a full 12-digit code.
func (j Jurisdiction) IsPlace() bool { return len(j.code) == 12 }

// Covers reports whether everything in other lies within j.
func (j Jurisdiction) Covers(other Jurisdiction) bool {
	switch {
	case j.IsZero() || other.IsZero():
		return false
	case j == All:
		return true
	case other == All:
		return false
	}
	return len(other.code) >= len(j.code) && other.code[:len(j.code)] == j.code
}

// Township is the 9-digit township prefix of a place (for supervisors).
func (j Jurisdiction) Township() Jurisdiction {
	if len(j.code) < 9 {
		return j
	}
	return Jurisdiction{code: j.code[:9]}
}

// MarshalText encodes the code.
func (j Jurisdiction) MarshalText() ([]byte, error) { return []byte(j.code), nil }

// UnmarshalText accepts what ParseJurisdiction accepts, or "" for none.
func (j *Jurisdiction) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*j = Jurisdiction{}
		return nil
	}
	parsed, err := ParseJurisdiction(string(b))
	if err != nil {
		return err
	}
	*j = parsed
	return nil
}
