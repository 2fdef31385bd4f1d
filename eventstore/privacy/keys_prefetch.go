package privacy

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
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
	marks := make([]string, len(subjects))
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := k.db.QueryContext(ctx, `SELECT subject, wrapped, master_id FROM careledger_data_keys WHERE subject IN (`+
		strings.Join(marks, ", ")+`)`, subjects...)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := map[string][]byte{}
	for rows.Next() {
		var subject string
		var wrapped, masterID sql.NullString
		if err := rows.Scan(&subject, &wrapped, &masterID); err != nil {
			return err
		}
		if !wrapped.Valid {
			found[subject] = nil // destroyed
			continue
		}
		if key, err := k.unwrap(subject, wrapped.String, masterID.String); err == nil {
			found[subject] = key
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for subject, key := range found {
		if _, known := k.cache[subject]; !known { // a destruction meanwhile stands
			k.remember(subject, key)
		}
	}
	return nil
}
