package domain

import (
	"fmt"
	"strings"
)

// RuleLegalHold: a child's personal data cannot be erased while the record
// is still needed — an open case, active temporary guardianship or an open
// inquiry (DOMAIN.md) — since erasure would destroy what the case, or the
// inquiry into it, rests on.
const RuleLegalHold = "legal_hold"

// CheckLegalHold refuses the erasure of a child's personal data while one
// of the child's cases (their facts, folded from the log) is open or holds
// the child in temporary guardianship, or an inquiry into the child or one
// of its cases is open, naming each hold.
func CheckLegalHold(childID string, cases []CaseFacts, openInquiries []string) error {
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
	for _, id := range openInquiries {
		holds = append(holds, fmt.Sprintf("inquiry %s is open", id))
	}
	if len(holds) == 0 {
		return nil
	}
	return ruleBroken(RuleLegalHold, "the child's record is under legal hold (法定保存): %s; erase once the case is closed and the inquiry concluded", strings.Join(holds, "; "))
}
