package privacy

// KeyBatches counts the transactions that created data keys.
func (k *Keys) KeyBatches() int64 { return k.batches.Load() }

// SmallSubjectCache makes the cache of stream subjects hold n streams
// until the test ends.
func SmallSubjectCache(t interface{ Cleanup(func()) }, n int) {
	old := cachedSubjects
	cachedSubjects = n
	t.Cleanup(func() { cachedSubjects = old })
}
