// Package domain is careledger's model of child-protection casework under
// 民发〔2019〕34号: the vocabularies, the aggregates (case, child, worker,
// inquiry), the rules they keep and the deadline clocks derived from their
// events. It does no I/O and imports nothing but the standard library and
// github.com/google/uuid.
//
// Aggregates keep their state unexported. A command method checks the
// rules, records an event (never one that changes nothing) and applies it;
// rebuilding from history goes through Apply, which never fails.
package domain
