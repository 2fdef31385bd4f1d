package projections

// All is every read model careledger keeps, in the order they are built.
func All(log StreamLog) []Projection {
	return []Projection{Cases{}}
}

// StreamLog is what read models that re-read a stream need of the store.
type StreamLog interface {
	Log
}
