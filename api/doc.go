// Package api is careledger's HTTP interface. It is built in the API issue;
// nothing here yet.
package api
