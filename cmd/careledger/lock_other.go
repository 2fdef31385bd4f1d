//go:build !unix

package main

// lockFile is not offered where there is no flock: serve on KurrentDB then
// writes under a fresh identity, and a claim a crash left open needs
// careledger seal-claim.
func lockFile(string) (func(), error) {
	return nil, errNoFileLocks
}
