// Package projections is careledger's read side: the read models the
// engine builds from the event log, each in a package of its own with its
// queries —
//
//   - caseview: the case as it stands, and the caseload (GET /v1/cases/{id}, /v1/caseload);
//   - childview: the child's file, one per child (一人一档案), and the children list;
//   - timeline: what happened to a case or a child, as the record stood at any moment;
//   - deadlines: every obligation of DOMAIN.md's clocks, its owner and status;
//   - analytics: de-identified case statistics for analysts;
//   - register: the real-name register of workers and who held which post when;
//   - inquiries: accountability inquiries (倒查), open or closed;
//   - webhooks: the other systems registered to be told notifications;
//
// and beside them what reads without being a projection: record (the log
// itself: raw events, children's personal data through the key service, the
// worker register, the hash chain), report (the trace-back report, 倒查,
// which replays the log as of any moment) and accesslog (who read which
// child's file). engine runs the projections; readdb is the database they
// share. Every view of a case or a child derives from the domain's one
// fold of it (domain.CaseFacts, domain.ChildFacts), so views cannot
// disagree; nothing here imports the write side (commands) or HTTP (api).
package projections

import (
	"fmt"
	"slices"

	"github.com/careledger/careledger/projections/analytics"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/childview"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/inquiries"
	"github.com/careledger/careledger/projections/register"
	"github.com/careledger/careledger/projections/timeline"
	"github.com/careledger/careledger/projections/webhooks"
)

// All is every read model careledger keeps, in the order they are built.
// The caseload is a query over the case view, not a table of its own.
func All() []engine.Projection {
	return []engine.Projection{caseview.Projection{}, childview.Projection{}, timeline.Projection{}, deadlines.New(), analytics.Projection{},
		register.Projection{}, inquiries.Projection{}, webhooks.Projection{}}
}

// Named picks the read models named (each once), or all of them when none is.
func Named(names ...string) ([]engine.Projection, error) {
	all := All()
	if len(names) == 0 {
		return all, nil
	}
	var chosen []engine.Projection
	for _, name := range names {
		i := slices.IndexFunc(all, func(p engine.Projection) bool { return p.Name() == name })
		if i < 0 {
			return nil, fmt.Errorf("no projection named %q", name)
		}
		if !slices.ContainsFunc(chosen, func(p engine.Projection) bool { return p.Name() == name }) {
			chosen = append(chosen, all[i])
		}
	}
	return chosen, nil
}
