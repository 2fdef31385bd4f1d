// Package tests holds component tests that start the real server on a
// loopback port. They come with the API issue.
package tests
