package deadlines

// NewTickingInPiecesOf is the deadline view with each transaction of Tick
// extending at most n streams by their yearly verifications, or marking
// at most n obligations missed.
func NewTickingInPiecesOf(n int) *Projection { return &Projection{sweepBound: n, extendBound: n} }
