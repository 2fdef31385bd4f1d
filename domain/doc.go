// Package domain holds careledger's aggregates, value objects, rules and
// deadline clocks, free of I/O. It is built in the domain issue; nothing
// here yet.
package domain
