// Package pgtest gives tests a fresh PostgreSQL database of their own, made
// on the server named by CARELEDGER_TEST_POSTGRES and dropped when the test
// ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the PostgreSQL URL tests use; unset, PostgreSQL tests skip.
const EnvVar = "CARELEDGER_TEST_POSTGRES"

// RequireVar, when set (CI sets it), turns a missing EnvVar into a failure
// instead of a skip, so PostgreSQL cannot silently go untested.
const RequireVar = "CARELEDGER_REQUIRE_POSTGRES"

// URL returns the server URL from the environment, skipping the test when
// it is not set.
func URL(t testing.TB) string {
	u := os.Getenv(EnvVar)
	if u == "" {
		if os.Getenv(RequireVar) != "" {
			t.Fatalf("%s is set but %s is not", RequireVar, EnvVar)
		}
		t.Skipf("%s is not set; skipping PostgreSQL", EnvVar)
	}
	return u
}

// NewDatabase creates an empty database and returns its URL. Cleanups
// registered after this call (closing stores) run before the drop.
func NewDatabase(t testing.TB) string {
	base := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvVar, err)
	}
	defer admin.Close(ctx)
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "careledger_t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvVar, err)
	}
	u.Path = "/" + name
	return u.String()
}
