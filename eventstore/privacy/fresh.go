package privacy

import (
	"context"
	"sync"
)

// An erasure through one server must hold on every server at once: a read
// that begins after the erasure was acknowledged must not open the child's
// data with a key another process still keeps. Between requests a process
// trusts its cache of live keys for epochCheck (2 s); a request marked with
// WithFreshKeys makes it ask the database, once per request, whether a key
// was destroyed since (one read of a one-row table), before it opens
// anything. The API marks every request.

// freshness records which key services have checked the epoch for one
// request.
type freshness struct {
	mu      sync.Mutex
	checked map[*Keys]bool
}

type freshKey struct{}

// WithFreshKeys marks ctx as a request whose reads must see every erasure
// committed before it began, whichever process made it.
func WithFreshKeys(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshKey{}, &freshness{checked: map[*Keys]bool{}})
}

// mustCheck reports whether k must look at the epoch now for ctx's request
// (the first time the request asks k), whatever its clock says.
func (k *Keys) mustCheck(ctx context.Context) bool {
	f, ok := ctx.Value(freshKey{}).(*freshness)
	if !ok {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checked[k] {
		return false
	}
	f.checked[k] = true
	return true
}
