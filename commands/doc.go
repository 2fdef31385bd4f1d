// Package commands holds one handler per command of the HTTP contract:
// load, authorize, decide, append. It is built in the domain issue; nothing
// here yet.
package commands
