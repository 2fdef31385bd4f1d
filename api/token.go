package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
)

// Tokens issues and checks bearer tokens: base64url(claims) "." base64url(
// HMAC-SHA256(key, claims)). The key never leaves the server's data
// directory (or CARELEDGER_TOKEN_KEY).
type Tokens struct {
	key []byte
	now func() time.Time
	// maxAdmin and maxOther are the longest lifetimes of an admin's token
	// and of any other's.
	maxAdmin, maxOther time.Duration
}

// WebhookSecret is the secret a webhook's deliveries are signed with (its
// bytes, as text, are the HMAC key): the hex HMAC-SHA256 under the token key
// of "webhook:" and the webhook's id. It is derived, never stored, so every
// server with the key signs alike.
func (t *Tokens) WebhookSecret(webhookID string) string {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte("webhook:" + webhookID))
	return hex.EncodeToString(mac.Sum(nil))
}

// NewTokens makes a token issuer and checker from a key of at least 32 bytes.
func NewTokens(key []byte, now func() time.Time) (*Tokens, error) {
	if len(key) < 32 {
		return nil, errors.New("token key: want at least 32 bytes")
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{key: key, now: now, maxAdmin: MaxAdminTokenLifetime, maxOther: MaxTokenLifetime}, nil
}

// Longest token lifetimes by default: an admin's 24 hours (it can erase a
// child's data and change the policy), every other role's 30 days. A site
// may shorten them (Limit), never lengthen them.
const (
	MaxAdminTokenLifetime = 24 * time.Hour
	MaxTokenLifetime      = 30 * 24 * time.Hour
)

// Limit shortens the longest lifetimes of tokens: admin for an admin's,
// others for every other role's (zero: keep the default). A token issued
// for longer, even by another build or before the limit, is refused.
func (t *Tokens) Limit(admin, others time.Duration) error {
	for _, l := range []struct {
		name     string
		d, bound time.Duration
	}{{"admin", admin, MaxAdminTokenLifetime}, {"others", others, MaxTokenLifetime}} {
		if l.d < 0 || l.d > l.bound {
			return fmt.Errorf("token lifetime limit for %s: %s is not between 0 and %s", l.name, l.d, l.bound)
		}
	}
	if admin > 0 {
		t.maxAdmin = admin
	}
	if others > 0 {
		t.maxOther = others
	}
	return nil
}

// maxLifetime is the longest a token of the role may live.
func (t *Tokens) maxLifetime(role string) time.Duration {
	if role == domain.RoleAdmin.String() {
		return t.maxAdmin
	}
	return t.maxOther
}

// Claims are what a token says about its bearer.
type Claims struct {
	// ID names the token, so that it can be revoked (tokens issued before
	// it existed have none; TokenID hashes them).
	ID           string `json:"jti,omitempty"`
	Subject      string `json:"sub"`
	Role         string `json:"role"`
	Jurisdiction string `json:"jur"`
	Agency       string `json:"agency,omitempty"`
	IssuedAt     int64  `json:"iat"`
	ExpiresAt    int64  `json:"exp"`
}

// ErrUnauthenticated: no token, a malformed or forged one, or an expired one
// (HTTP 401).
var ErrUnauthenticated = errors.New("unauthenticated")

// Issue signs a token for the principal, valid for ttl.
func (t *Tokens) Issue(p domain.Principal, ttl time.Duration) (string, error) {
	if _, err := principalOf(Claims{Subject: p.Subject, Role: p.Role.String(), Jurisdiction: p.Jurisdiction.String(), Agency: p.Agency.String()}); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", &domain.InvalidError{Field: "ttl", Message: "must be positive"}
	}
	if max := t.maxLifetime(p.Role.String()); ttl > max {
		return "", &domain.InvalidError{Field: "ttl", Message: fmt.Sprintf("a %s's token lives at most %s", p.Role, max)}
	}
	now := t.now()
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	body, err := json.Marshal(Claims{
		ID: hex.EncodeToString(id[:]), Subject: p.Subject, Role: p.Role.String(), Jurisdiction: p.Jurisdiction.String(), Agency: p.Agency.String(),
		IssuedAt: now.Unix(), ExpiresAt: now.Add(ttl).Unix(),
	})
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(t.sign(payload)), nil
}

func (t *Tokens) sign(payload string) []byte {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte(payload))
	return mac.Sum(nil)
}

// Verify checks a token's signature, lifetime and expiry and returns its
// principal. (Revocation is the server's to check: it needs the database.)
func (t *Tokens) Verify(token string) (domain.Principal, error) {
	c, err := t.claims(token)
	if err != nil {
		return domain.Principal{}, err
	}
	p, err := principalOf(c)
	if err != nil {
		return domain.Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return p, nil
}

// claims checks a token's signature, lifetime and expiry and returns its
// claims.
func (t *Tokens) claims(token string) (Claims, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Claims{}, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	// Strict: one spelling per signature and payload, so that a token
	// verifies only as it was issued.
	got, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(got, t.sign(payload)) {
		return Claims{}, fmt.Errorf("%w: bad signature", ErrUnauthenticated)
	}
	body, err := base64.RawURLEncoding.Strict().DecodeString(payload)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil {
		return Claims{}, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	if !t.now().Before(time.Unix(c.ExpiresAt, 0)) {
		return Claims{}, fmt.Errorf("%w: token expired", ErrUnauthenticated)
	}
	if life := time.Duration(c.ExpiresAt-c.IssuedAt) * time.Second; life > t.maxLifetime(c.Role) {
		return Claims{}, fmt.Errorf("%w: the token lives %s, longer than a %s's may (%s); issue a new one",
			ErrUnauthenticated, life, c.Role, t.maxLifetime(c.Role))
	}
	return c, nil
}

// principalOf checks claims: a known role, a jurisdiction, a subject, and an
// agency exactly when the role is partner.
func principalOf(c Claims) (domain.Principal, error) {
	role, err := domain.ParseRole(c.Role)
	if err != nil {
		return domain.Principal{}, err
	}
	j, err := domain.ParseJurisdiction(c.Jurisdiction)
	if err != nil {
		return domain.Principal{}, err
	}
	if strings.TrimSpace(c.Subject) == "" || len(c.Subject) > 200 {
		return domain.Principal{}, &domain.InvalidError{Field: "subject", Message: "must be 1 to 200 characters"}
	}
	p := domain.Principal{Actor: domain.Actor{Subject: c.Subject, Role: role, Jurisdiction: j}}
	switch {
	case role == domain.RolePartner && c.Agency == "":
		return domain.Principal{}, &domain.InvalidError{Field: "agency", Message: "a partner token names its agency"}
	case role == domain.RolePartner:
		if p.Agency, err = domain.ParseAgency(c.Agency); err != nil {
			return domain.Principal{}, err
		}
	case c.Agency != "":
		return domain.Principal{}, &domain.InvalidError{Field: "agency", Message: "only a partner token names an agency"}
	}
	return p, nil
}
