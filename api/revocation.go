package api

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/careledger/careledger/projections/readdb"
)

// A token can be revoked before it expires (`careledger token revoke`): its
// id goes into token_revocations, in the database every server shares, and
// every request checks it. A server keeps what it learned for at most
// revocationCheck, so a revocation reaches every server within that.

// revocationCheck is how long a server trusts that a token it checked is
// not revoked.
const revocationCheck = 2 * time.Second

var revocationSchema = []string{`CREATE TABLE IF NOT EXISTS token_revocations (
	token_id   TEXT PRIMARY KEY,
	revoked_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL,
	reason     TEXT NOT NULL
)`}

// MigrateRevocations makes the table of revoked tokens.
func MigrateRevocations(ctx context.Context, db readdb.DB) error {
	return db.Migrate(ctx, "token revocations", revocationSchema)
}

// TokenID is a token's id: its jti claim, or for a token issued without
// one, a hash of the token.
func TokenID(c Claims, token string) string {
	if c.ID != "" {
		return c.ID
	}
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// Revoke records that a token (verified with tokens, so that only a token
// this site issued is taken) may no longer be used. A token already
// expired needs no revocation; revoking one twice is not an error.
func Revoke(ctx context.Context, db readdb.DB, tokens *Tokens, token, reason string) (string, error) {
	c, err := tokens.claims(strings.TrimSpace(token))
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(reason) == "" {
		return "", errors.New("a revocation needs a reason")
	}
	id := TokenID(c, strings.TrimSpace(token))
	var a readdb.Args
	q := `INSERT INTO token_revocations (token_id, revoked_at, expires_at, reason) VALUES (` + a.Arg(id) + `, ` +
		a.Arg(db.Dialect.Time(tokens.now())) + `, ` + a.Arg(db.Dialect.Time(time.Unix(c.ExpiresAt, 0))) + `, ` + a.Arg(reason) +
		`) ON CONFLICT (token_id) DO NOTHING`
	if _, err := db.SQL.ExecContext(ctx, q, a...); err != nil {
		return "", fmt.Errorf("revoke token: %w", err)
	}
	return id, nil
}

// revocations caches what the server learned of revoked tokens.
type revocations struct {
	mu      sync.Mutex
	checked map[string]time.Time // token id → when it was last found not revoked
	revoked map[string]bool
}

// isRevoked reports whether the token id is revoked, asking the database
// unless it was found not revoked within revocationCheck.
func (rv *revocations) isRevoked(ctx context.Context, db readdb.DB, id string, now time.Time) (bool, error) {
	rv.mu.Lock()
	if rv.revoked[id] {
		rv.mu.Unlock()
		return true, nil
	}
	if at, ok := rv.checked[id]; ok && now.Sub(at) < revocationCheck {
		rv.mu.Unlock()
		return false, nil
	}
	rv.mu.Unlock()
	var one int
	err := db.SQL.QueryRowContext(ctx, `SELECT 1 FROM token_revocations WHERE token_id = $1`, id).Scan(&one)
	revoked := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("check token revocation: %w", err)
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.checked == nil {
		rv.checked, rv.revoked = map[string]time.Time{}, map[string]bool{}
	}
	if revoked {
		rv.revoked[id] = true
	} else {
		if len(rv.checked) > 100000 {
			rv.checked = map[string]time.Time{} // bounded: forget, and ask again
		}
		rv.checked[id] = now
	}
	return revoked, nil
}
