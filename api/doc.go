// Package api is careledger's HTTP interface (the contract of API.md): it
// authenticates callers, decodes and validates requests, hands commands to
// the command handlers and queries to the read models, and speaks
// application/problem+json when something fails. It is the only package
// that knows HTTP.
package api
