package domain

import (
	"fmt"
	"strings"
)

// RuleLegalHold: a child's personal data cannot be erased while the record
// is still needed — an open case or active temporary guardianship
// (DOMAIN.md) — since erasure would destroy what the case, or an inquiry
// into it, rests on.
const RuleLegalHold = "legal_hold"

// CheckLegalHold refuses the erasure of a child's personal data while one
// of the child's cases (their facts, folded from the log) is open or holds
// the child in temporary guardianship, naming each hold.
func CheckLegalHold(childID string, cases []CaseFacts) error {
	var holds []string
	for _, f := range cases {
		switch {
		case f.ChildID != childID:
		case f.GuardianshipActive():
			holds = append(holds, fmt.Sprintf("temporary guardianship is active in case %s", f.ID))
		case f.Status == StatusOpen:
			holds = append(holds, fmt.Sprintf("case %s is open", f.ID))
		}
	}
	if len(holds) == 0 {
		return nil
	}
	return ruleBroken(RuleLegalHold, "the child's record is under legal hold (法定保存): %s; erase after the case is closed", strings.Join(holds, "; "))
}
