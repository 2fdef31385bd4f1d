package privacy

import (
	"context"
	"fmt"
)

// prefetchChunk bounds how many subjects one query of Prefetch names.
const prefetchChunk = 500

// Prefetch reads the data keys of the subjects this handle has not cached
// yet, a query for every prefetchChunk of them rather than one query each,
// and caches them (a destroyed key as its tombstone). A subject without a
// key, or whose key cannot be unwrapped, is left to DataKey, which says
// so. At most cachedKeys/2 subjects are read, so that a page's keys do not
// push each other out of the cache. A startup rebuild of 997,103 events
// read the keys of 64,000 children one query each: 7 % of the server's CPU
// on PostgreSQL, besides the database's own.
func (k *Keys) Prefetch(ctx context.Context, subjects []string) error {
	if err := k.freshen(ctx); err != nil {
		return err
	}
	var missing []any
	asked := map[string]bool{}
	k.mu.Lock()
	for _, s := range subjects {
		if _, known := k.cache[s]; !known && !asked[s] && len(missing) < cachedKeys/2 {
			asked[s] = true
			missing = append(missing, s)
		}
	}
	k.mu.Unlock()
	for len(missing) > 0 {
		n := min(len(missing), prefetchChunk)
		if err := k.prefetch(ctx, missing[:n]); err != nil {
			return fmt.Errorf("keys: read keys: %w", err)
		}
		missing = missing[n:]
	}
	return nil
}

// prefetch reads and caches the keys of subjects (strings).
func (k *Keys) prefetch(ctx context.Context, subjects []any) error {
	found := map[string]storedKey{}
	if err := k.readStored(ctx, k.db, subjects, found); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for subject, s := range found {
		if _, known := k.cache[subject]; !known && s.err == nil { // a destruction meanwhile stands
			k.remember(subject, s.key)
		}
	}
	return nil
}
