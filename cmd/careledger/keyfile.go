package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// createWhole makes the file path with content, mode 0600, unless it
// exists (made false): the content is written and synced under a
// temporary name in the same directory and then linked to path, so that
// another process starting at the same moment either finds no file or the
// whole of it — never the empty or half-written file an O_EXCL create
// shows until it is written (two servers started at once on one --data:
// "master.key: want at least 32 bytes in hex").
func createWhole(path string, content []byte) (made bool, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".new-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, err
	}
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("link %s: %w", path, err)
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil { // the new name, durable
		_ = dir.Sync()
		dir.Close()
	}
	return true, nil
}
