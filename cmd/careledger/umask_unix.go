//go:build unix

package main

import "syscall"

// privateFiles makes every file and directory the process creates from
// now on (the SQLite database and its journals, keys, dumps) readable by
// the server's user alone: 0600 and 0700.
func privateFiles() { syscall.Umask(0o077) }
