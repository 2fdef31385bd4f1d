package domain

import (
	"fmt"
	"time"
)

// ClockSkew is how far in the future occurred_at may lie: clocks of
// phones and desks differ.
const ClockSkew = 5 * time.Minute

// checkOccurredAt refuses a business time in the future (beyond ClockSkew
// of now) or, when the child's birth date is known, before the child was
// born.
func checkOccurredAt(field string, at, now time.Time, birth Date) error {
	if at.IsZero() {
		return invalid(field, "is required")
	}
	if at.After(now.Add(ClockSkew)) {
		return &ImpossibleError{Field: field, Message: fmt.Sprintf("%s lies in the future", at.Format(time.RFC3339))}
	}
	if !birth.IsZero() && at.Before(birth.Start()) {
		return &ImpossibleError{Field: field, Message: fmt.Sprintf("%s is before the child's birth (%s)", at.Format(time.RFC3339), birth)}
	}
	return nil
}
