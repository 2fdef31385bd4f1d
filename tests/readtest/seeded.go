package readtest

import (
	"testing"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// RunWhileSeeded runs an engine with the projections while the two seeded
// counties (commandstest.SeedTwoCounties, at enginetest.Now) and then a workload of
// random commands (commandstest.Workload from seed, writers × steps) are
// written, waits until it has applied the whole log, and returns what the
// seed made.
func RunWhileSeeded(t testing.TB, b enginetest.Backend, seed uint64, writers, steps int, ps ...engine.Projection) commandstest.Seed {
	var s commandstest.Seed
	enginetest.RunWhile(t, b, func() {
		s = commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		commandstest.Workload(t, b.Store, enginetest.Now, seed, writers, steps)
	}, ps...)
	return s
}
