package privacy

// The caches of this package (data keys, sealers, the subjects of
// streams) hold what is in use, not everything ever read: a province has
// millions of children, and a cache that grew with them would hold the
// process's memory hostage to its register. A miss costs one read of a
// row, or a key schedule.
// (Variables, so that tests can make them small.)
var (
	// cachedKeys bounds Keys' cache of data keys (about 100 bytes each).
	cachedKeys = 16384
	// cachedSealers bounds Store's sealers (an AES-GCM key schedule each,
	// about 800 bytes).
	cachedSealers = 4096
	// cachedSubjects bounds Store's map of stream → subject.
	cachedSubjects = 16384
)

// makeRoom deletes entries of m until it has room for one more under
// limit, leaving those keep holds to (if every entry is kept, m grows past
// limit). Which entries go is left to the map's random iteration order.
func makeRoom[V any](m map[string]V, limit int, keep func(V) bool) {
	for key, v := range m {
		if len(m) < limit {
			return
		}
		if keep == nil || !keep(v) {
			delete(m, key)
		}
	}
}
