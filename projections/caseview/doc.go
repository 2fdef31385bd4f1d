// Package caseview is the case view: one row per case with what
// GET /v1/cases/{id} shows (rm_cases) and one per referral
// (rm_case_referrals), and the queries over them — a case, a child's cases,
// the caseload, and the referrals as the receiving agencies list them
// (which add, from the child and deadline views, the child's birth year,
// sex and place and when the answer is due: never a name).
//
// Why it keeps a snapshot: a case is folded once, by domain.CaseFacts, and
// every view of it — this one, the statistics, the deadlines, the report —
// is derived from that one fold, so that they cannot disagree (a
// back-dated police report counts from when it happened, here as in the
// deadlines). The view does not fold events itself: each row keeps the
// case's facts as a snapshot (rm_cases.facts); a batch loads the
// snapshots of the cases it touches, applies its events to them, and writes
// the columns derived from the facts beside the new snapshot — a few
// multi-row statements per batch, whatever its size. The facts hold no
// personal data, so neither does the view.
package caseview
