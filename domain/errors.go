package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrInvalid: a value is missing or malformed (HTTP 400); see InvalidError.
	ErrInvalid = errors.New("invalid")
	// ErrImpossible: well-formed but impossible, e.g. occurred_at in the
	// future or before the child's birth (HTTP 422).
	ErrImpossible = errors.New("impossible")
	// ErrRule: the action breaks a rule of the case (HTTP 409); see RuleError.
	ErrRule = errors.New("rule violated")
	// ErrForbidden: the principal's role, jurisdiction, agency or training
	// does not allow the action (HTTP 403).
	ErrForbidden = errors.New("forbidden")
)

// InvalidError names the offending field.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string        { return fmt.Sprintf("%s: %s", e.Field, e.Message) }
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }
func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ImpossibleError names the field whose value cannot be.
type ImpossibleError struct {
	Field   string
	Message string
}

func (e *ImpossibleError) Error() string        { return fmt.Sprintf("%s: %s", e.Field, e.Message) }
func (e *ImpossibleError) Is(target error) bool { return target == ErrImpossible }

// RuleError names the rule of DOMAIN.md an action would break.
type RuleError struct {
	Rule    string // short stable name, e.g. "case_closed"
	Message string
}

func (e *RuleError) Error() string        { return e.Message }
func (e *RuleError) Is(target error) bool { return target == ErrRule }

func ruleBroken(rule, format string, args ...any) error {
	return &RuleError{Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// ForbiddenError says why the principal may not act.
type ForbiddenError struct{ Message string }

func (e *ForbiddenError) Error() string        { return e.Message }
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

func forbidden(format string, args ...any) error {
	return &ForbiddenError{Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound: no such resource, or it lies outside the principal's
// jurisdiction — the two are never told apart (HTTP 404).
var ErrNotFound = errors.New("not found")

// NotFound says that a kind of thing with that id is not there (or not
// within reach): it matches ErrNotFound.
func NotFound(kind, id string) error { return fmt.Errorf("%s %s: %w", kind, id, ErrNotFound) }
