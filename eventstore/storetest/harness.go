// Package storetest is the contract every event store backend passes. A
// backend's test calls Run with a function that makes a fresh, empty
// database for each test, and again through the privacy decorator
// (ThroughPrivacy), which must keep the contract too.
package storetest

import (
	"context"
	"testing"

	"github.com/careledger/careledger/eventstore"
)

// Database is one empty database of a backend, made for one test and
// dropped when it ends.
type Database interface {
	// Open opens a store on the database; each call opens another handle, as
	// a second process would, or as a restart does after Close. The handle is
	// closed when the test ends if the test has not closed it.
	Open(t testing.TB, opts eventstore.Options) eventstore.Store
	// Tamper changes the stored log the way someone with write access to the
	// database could, going around the store and its append-only guard.
	Tamper() Tamperer
}

// Tamperer edits the log behind the store's back.
type Tamperer interface {
	// SetData overwrites the data of the event at position.
	SetData(ctx context.Context, position int64, data string) error
	// Delete removes the events at the given positions.
	Delete(ctx context.Context, positions ...int64) error
	// Swap exchanges every column but the position between two events.
	Swap(ctx context.Context, a, b int64) error
	// Insert writes a row exactly as given.
	Insert(ctx context.Context, e eventstore.Event) error
	// SetSeal rewrites the head seal; DeleteSeal removes it.
	SetSeal(ctx context.Context, seal eventstore.Seal) error
	DeleteSeal(ctx context.Context) error
	// PlainUpdate tries an ordinary UPDATE of an event, as a careless
	// operator or a bug would, without going around the append-only guard.
	// It must fail.
	PlainUpdate(ctx context.Context, position int64) error
	// PlainDelete tries an ordinary DELETE of an event. It must fail.
	PlainDelete(ctx context.Context, position int64) error
}
