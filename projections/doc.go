// Package projections builds careledger's read models from the event log.
// It is built in the projections issue; nothing here yet.
package projections
