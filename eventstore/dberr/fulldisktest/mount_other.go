//go:build !linux

package fulldisktest

import (
	"os/user"
	"testing"
)

// Mount needs Linux's tmpfs: elsewhere the test skips.
func Mount(t testing.TB, size int64, owner *user.User) *FS {
	t.Helper()
	skip(t, "a size-limited tmpfs needs Linux")
	return nil
}

// Fill fills the file system (Linux only).
func (fs *FS) Fill(t testing.TB, margin int64) {}

// Free removes the ballast (Linux only).
func (fs *FS) Free(t testing.TB) {}
