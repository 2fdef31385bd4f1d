package privacy

// KeyBatches counts the transactions that created data keys.
func (k *Keys) KeyBatches() int64 { return k.batches.Load() }
