package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/domain"
)

var tokenTestKey = []byte("a token key of thirty-two bytes!")

func principal(role domain.Role, agency string) domain.Principal {
	p := domain.Principal{Actor: domain.Actor{Subject: "s-1", Role: role, Jurisdiction: domain.All}}
	if agency != "" {
		p.Agency, _ = domain.ParseAgency(agency)
		p.Jurisdiction, _ = domain.ParseJurisdiction("370902")
	}
	return p
}

// TestTokenLifetimes: an admin's token lives at most 24 hours, any other
// role's 30 days, or less where the site says so; a longer one is neither
// issued nor accepted, whoever signed it (#14, finding 9).
func TestTokenLifetimes(t *testing.T) {
	t.Parallel()
	tokens, err := api.NewTokens(tokenTestKey, nil)
	require.NoError(t, err)
	_, err = tokens.Issue(principal(domain.RoleAdmin, ""), 25*time.Hour)
	var inv *domain.InvalidError
	require.True(t, errors.As(err, &inv), "%v", err)
	assert.Equal(t, "ttl", inv.Field)
	_, err = tokens.Issue(principal(domain.RoleAdmin, ""), 24*time.Hour)
	assert.NoError(t, err)
	_, err = tokens.Issue(principal(domain.RoleInspector, ""), 31*24*time.Hour)
	assert.Error(t, err)

	// A token signed with the key for 100 years (as an old build issued
	// one) is refused.
	claims, err := json.Marshal(api.Claims{Subject: "s-1", Role: "admin", Jurisdiction: "all",
		IssuedAt: time.Now().Unix(), ExpiresAt: time.Now().AddDate(100, 0, 0).Unix()})
	require.NoError(t, err)
	payload := base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, tokenTestKey)
	mac.Write([]byte(payload))
	_, err = tokens.Verify(payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)))
	assert.ErrorIs(t, err, api.ErrUnauthenticated)

	require.NoError(t, tokens.Limit(8*time.Hour, 7*24*time.Hour))
	_, err = tokens.Issue(principal(domain.RoleAdmin, ""), 9*time.Hour)
	assert.Error(t, err, "the site's shorter limit")
	assert.Error(t, tokens.Limit(48*time.Hour, 0), "a limit never lengthens")
}

// TestTokenSignatureIsCanonical: a signature verifies only as it was
// issued; another spelling of the same bytes (base64's unused low bits set)
// is refused (#14, finding 9).
func TestTokenSignatureIsCanonical(t *testing.T) {
	t.Parallel()
	tokens, err := api.NewTokens(tokenTestKey, nil)
	require.NoError(t, err)
	tok, err := tokens.Issue(principal(domain.RoleInspector, ""), time.Hour)
	require.NoError(t, err)
	_, err = tokens.Verify(tok)
	require.NoError(t, err)
	payload, sig, _ := strings.Cut(tok, ".")
	// 32 bytes are 43 base64 characters; the last carries 2 unused bits.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, sig[len(sig)-1])
	other := sig[:len(sig)-1] + string(alphabet[last^1])
	decoded, err := base64.RawURLEncoding.DecodeString(other)
	require.NoError(t, err, "the lenient decoder reads the other spelling")
	original, _ := base64.RawURLEncoding.DecodeString(sig)
	require.Equal(t, original, decoded, "to the same bytes")
	_, err = tokens.Verify(payload + "." + other)
	assert.ErrorIs(t, err, api.ErrUnauthenticated)
}
