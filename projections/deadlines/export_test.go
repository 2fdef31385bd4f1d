package deadlines

// NewSweepingInPiecesOf is the deadline view with Tick marking at most n
// obligations missed in one transaction.
func NewSweepingInPiecesOf(n int) *Projection { return &Projection{sweepBound: n} }
