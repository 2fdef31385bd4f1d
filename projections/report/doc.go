// Package report makes the accountability trace-back report (重大事件倒查):
// for an inquiry, a case or a child, what was known, when and by whom; every
// obligation with its owner at the incident and its status judged by the
// policy then in force; the entries recorded late; the whole timeline; the
// policies that applied, the people involved, who read the record, the
// corrections, and an inquiry's findings, rectification and closing — all
// as the record stood at a chosen moment, with the verification of the hash
// chain the events rest on.
//
// It is not a projection and keeps no table. A report must show the record
// as it stood at any past moment and prove it unaltered, which a read model
// — current, and behind the log — cannot: so it replays the log itself,
// through package record, and derives every view of a case or a child from
// the domain's one fold and the domain's rules (deadlines, owner at a time,
// late entry), so that it cannot disagree with the case view, the deadlines
// or the statistics. The only read model it asks is the case view, to list
// the cases of a child; beside it, it reads the access log (who read the
// child's record), which no event holds.
//
// A report is read within a jurisdiction, and shows nothing that lies
// outside it (reach.go): the case's child once it has moved out — its
// entries stop at the move, shown without where to, and the report says
// that the child's stream goes on beyond what it shows — and, in a report
// on a child, the child's cases that lie elsewhere.
package report
