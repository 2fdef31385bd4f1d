// Package tests holds component tests that start the real server on a
// loopback port. They come with the API issue.
//
// TestMain builds the careledger binary once; each test starts
// 'careledger serve --addr 127.0.0.1:0' on a fresh data directory (SQLite)
// or a fresh database (PostgreSQL, when CARELEDGER_TEST_POSTGRES is set;
// CARELEDGER_REQUIRE_POSTGRES=1 turns its absence into a failure), issues
// tokens with 'careledger token issue', and speaks HTTP to it as a client
// written from API.md alone. The server's stderr goes to the test log when a
// test fails, or always with CARELEDGER_TEST_SERVER_LOG=1;
// CARELEDGER_TEST_SERVER_RACE=1 builds the server with the race detector.
// TestFullDisk mounts small file systems to fill, which takes root; it
// skips without, unless CARELEDGER_REQUIRE_FULL_DISK=1 (CI).
package tests
