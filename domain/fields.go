package domain

import (
	"strings"
	"unicode/utf8"
)

// Bounds on the fields people type in.
const (
	// MaxNameRunes bounds a person's name.
	MaxNameRunes = 100
	// MaxTextRunes bounds free text: findings, situations, reasons.
	MaxTextRunes = 4000
	// MaxIDRunes bounds an identifier chosen by a client or the server.
	MaxIDRunes  = 200
	maxPhoneLen = 20
)

// requiredText refuses blank text and text longer than limit runes.
func requiredText(field, s string, limit int) error {
	if strings.TrimSpace(s) == "" {
		return invalid(field, "is required")
	}
	return boundedText(field, s, limit)
}

// boundedText refuses text longer than limit runes or not valid UTF-8.
func boundedText(field, s string, limit int) error {
	if !utf8.ValidString(s) {
		return invalid(field, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return invalid(field, "has %d characters, at most %d are allowed", n, limit)
	}
	return nil
}

// phoneNumber refuses a phone number with anything but digits, '+' and
// '-', or longer than 20 characters. The empty string is no number.
func phoneNumber(field, s string) error {
	if s == "" {
		return nil
	}
	if len(s) > maxPhoneLen {
		return invalid(field, "has %d characters, at most %d are allowed", len(s), maxPhoneLen)
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '+' && r != '-' {
			return invalid(field, "%q: a phone number has only digits, '+' and '-'", s)
		}
	}
	return nil
}

// ValidResidentID reports whether s has the form of a PRC resident identity
// number (居民身份证号码, GB 11643-1999): 17 digits and a check character,
// a digit or 'X', that is correct under ISO 7064 MOD 11-2.
func ValidResidentID(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := range 17 {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		// The weight of position i (counted from the right, check at 1) is
		// 2^(18-i-1) mod 11.
		sum += int(c-'0') * residentIDWeights[i]
	}
	return s[17] == residentIDCheck[sum%11]
}

var (
	residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	residentIDCheck   = "10X98765432"
)
