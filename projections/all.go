package projections

// All is every read model careledger keeps, in the order they are built.
// The caseload is a query over the case view, not a table of its own.
func All(log StreamReader) []Projection {
	return []Projection{Cases{}, Children{}, Timeline{}, NewDeadlines(log), Analytics{}}
}
