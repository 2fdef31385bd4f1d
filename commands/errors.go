package commands

import (
	"errors"
	"fmt"

	"github.com/careledger/careledger/eventstore"
)

// Errors callers branch on with errors.Is, beside the domain's (ErrInvalid,
// ErrImpossible, ErrRule, ErrForbidden, ErrNotFound) and the store's.
var (
	// ErrPreconditionFailed: the stream is no longer at the version the
	// caller named (If-Match; HTTP 412).
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrConflict: the stream kept changing under the command; retrying
	// did not help (HTTP 409).
	ErrConflict = errors.New("conflict")
	// ErrIdempotencyKeyReused: the idempotency key was used by the same
	// subject for another request (HTTP 422).
	ErrIdempotencyKeyReused = errors.New("idempotency key reused with another request")
	// ErrStorageFull is the store's eventstore.ErrStorageFull, for those
	// above the store: the database's disk is full, so the command was not
	// recorded; it will be once space is freed (HTTP 503). Every write to
	// the database (the log, the data keys, the read models, the access
	// log) reports a full disk with it.
	ErrStorageFull = eventstore.ErrStorageFull
	// ErrChildIDTaken: a child id the client chose cannot be used, since a
	// file already has it (HTTP 409). It matches ErrConflict and says
	// nothing of where that file lies — in the caller's jurisdiction or
	// another — so that it does not tell one from the other.
	ErrChildIDTaken = fmt.Errorf("this child id cannot be used; choose another or let the server choose: %w", ErrConflict)
)
