package fulldisktest

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Mount mounts a tmpfs of size bytes, owned by owner (nil: the test's
// user), and unmounts it when the test ends — after the cleanups
// registered later (a server, a store, a database on it) have run.
func Mount(t testing.TB, size int64, owner *user.User) *FS {
	t.Helper()
	// Not t.TempDir: its parent is private to the test's user, and a
	// PostgreSQL server running as another must reach its tablespace.
	dir, err := os.MkdirTemp("", "careledger-full-disk-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(dir) })
	opts := fmt.Sprintf("size=%d,mode=0700", size)
	if owner != nil {
		opts += ",uid=" + owner.Uid + ",gid=" + owner.Gid
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		skip(t, "mount a %d-byte tmpfs on %s: %v (the test needs root)", size, dir, err)
	}
	t.Cleanup(func() {
		for range 50 {
			if err := syscall.Unmount(dir, 0); err == nil || !errors.Is(err, syscall.EBUSY) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Still busy (a server process not yet gone): detach it, the
		// kernel frees it when the last file closes.
		_ = syscall.Unmount(dir, syscall.MNT_DETACH)
	})
	// Hidden, so that it never lies in the way of what is stored beside it
	// (PostgreSQL wants its tablespace's directory to itself).
	return &FS{Dir: dir, ballast: filepath.Join(dir, ".ballast")}
}

// Fill grows the ballast until the file system has at most margin bytes
// free (0: none at all).
func (fs *FS) Fill(t testing.TB, margin int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(fs.Dir, &st); err != nil {
		t.Fatal(err)
	}
	size := int64(st.Bavail)*int64(st.Bsize) - margin
	f, err := os.OpenFile(fs.ballast, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for size > 0 || margin == 0 {
		n := int64(len(chunk))
		if margin > 0 {
			n = min(size, n)
		}
		// tmpfs keeps what is written, zeros included: the space is taken.
		if _, err := f.Write(chunk[:n]); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return // full already (what the test stores grew meanwhile)
			}
			t.Fatal(err)
		}
		size -= n
	}
}

// Free removes the ballast: the space it took is free again.
func (fs *FS) Free(t testing.TB) {
	t.Helper()
	if err := os.Remove(fs.ballast); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
}
