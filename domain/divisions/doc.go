// Package divisions is the register of China's official administrative
// divisions (行政区划代码): provinces, cities, counties, townships and
// villages, each with its code and name.
//
// The 2023 edition is embedded in the package (register.bin, built by
// internal/gen from the source files in shared/divisions) and loaded once,
// on first use, by Embedded. Parse reads a newer edition from the same five
// source files; Diff and With carry the differences between editions so an
// imported edition can be recorded as an event and replayed.
//
// The package does no I/O beyond reading its own embedded file and the
// fs.FS handed to Parse, and imports only the standard library.
package divisions

//go:generate go run ./internal/gen -src ../../../shared/divisions -edition 2023 -out register.bin
