package commands

import (
	"errors"
	"fmt"
)

// Errors callers branch on with errors.Is, beside the domain's (ErrInvalid,
// ErrImpossible, ErrRule, ErrForbidden) and the store's.
var (
	// ErrNotFound: no such resource, or it lies outside the principal's
	// jurisdiction — the two are never told apart (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrPreconditionFailed: the stream is no longer at the version the
	// caller named (If-Match; HTTP 412).
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrConflict: the stream kept changing under the command; retrying
	// did not help (HTTP 409).
	ErrConflict = errors.New("conflict")
	// ErrIdempotencyKeyReused: the idempotency key was used by the same
	// subject for another request (HTTP 422).
	ErrIdempotencyKeyReused = errors.New("idempotency key reused with another request")
)

func notFound(kind, id string) error { return fmt.Errorf("%s %s: %w", kind, id, ErrNotFound) }
