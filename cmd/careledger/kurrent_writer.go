package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
)

// holdKurrentWriter gives 'serve' on a KurrentDB log the writer identity
// kept in its data directory (kurrent-writer.id), so that a server
// restarted after a crash recognises the claim it left unsealed and seals
// it, at what of it landed, on its first append (package kurrent). It
// holds the directory's kurrent-writer.lock while the server runs, so that
// no second 'serve' on the directory writes under the same identity; the
// other commands write under fresh ones. release lets the lock go.
func (f *storeFlags) holdKurrentWriter() (release func(), err error) {
	if err := privateDir(f.data); err != nil {
		return nil, err
	}
	unlock, err := lockFile(filepath.Join(f.data, "kurrent-writer.lock"))
	if errors.Is(err, errNoFileLocks) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("another careledger serve uses the data directory %s for its KurrentDB log: %w", f.data, err)
	}
	id, err := writerID(filepath.Join(f.data, "kurrent-writer.id"))
	if err != nil {
		unlock()
		return nil, err
	}
	f.kurrentWriter = id
	return unlock, nil
}

// errNoFileLocks: the system offers no file locks (lock_other.go).
var errNoFileLocks = errors.New("no file locks on this system")

// writerID reads the writer identity kept in path, making it on first use.
func writerID(path string) (uuid.UUID, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		id := uuid.New()
		if err := os.WriteFile(path, []byte(id.String()+"\n"), 0o600); err != nil {
			return uuid.Nil, fmt.Errorf("kurrent writer id: %w", err)
		}
		return id, nil
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("kurrent writer id: %w", err)
	}
	id, err := uuid.Parse(strings.TrimSpace(string(b)))
	if err != nil {
		return uuid.Nil, fmt.Errorf("kurrent writer id in %s: %w", path, err)
	}
	return id, nil
}
