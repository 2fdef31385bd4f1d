package report

import (
	"sort"
	"time"

	"github.com/careledger/careledger/domain"
)

// deadlines are the obligations of the child's file and of each case, as
// the domain derives them from the facts, judged at asOf, in the order
// their clocks started. incident, when set, names each one's owner then.
func deadlines(on *basis, asOf, incident time.Time) []Deadline {
	var out []Deadline
	add := func(ds []domain.Deadline) {
		for _, d := range ds {
			out = append(out, deadlineOf(d, incident))
		}
	}
	for _, id := range on.ids {
		if _, ok := on.streams[id]; !ok {
			continue
		}
		switch id.Kind() {
		case domain.StreamChild:
			if on.view != nil {
				add(on.view.deadlines(on.child, on.childCases, on.policies, asOf, on.scope))
				continue
			}
			add(domain.ChildDeadlines(on.child, on.childCases, on.policies, asOf))
		case domain.StreamCase:
			add(domain.CaseDeadlines(on.cases[id.ID()], on.inquiries, on.policies, asOf))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out
}

func deadlineOf(d domain.Deadline, incident time.Time) Deadline {
	ownerAtIncident := ""
	if !incident.IsZero() {
		ownerAtIncident = d.OwnerAt(incident)
	}
	owners := make([]domain.ResolvedSpan, 0, len(d.Owners))
	for _, s := range d.Owners {
		owners = append(owners, domain.ResolvedSpan{Owner: s.Owner, From: s.From})
	}
	return Deadline{
		Kind: d.Kind.String(), SubjectID: d.SubjectID, CaseID: d.CaseID, ReferralID: d.ReferralID, Owner: d.Owner,
		OwnerAtIncident: ownerAtIncident, Owners: owners, StartedAt: d.StartedAt, DueAt: d.DueAt,
		Status: d.Status.String(), MetAt: d.MetAt, PolicyVersion: d.PolicyVersion,
	}
}

// policies lists the default policy and every recorded change, each
// marked with whether a deadline of the report is judged by it.
func policies(history domain.PolicyHistory, deadlines []Deadline) []Policy {
	applied := map[int64]bool{}
	for _, d := range deadlines {
		applied[d.PolicyVersion] = true
	}
	out := []Policy{{Version: 0, Policy: domain.DefaultPolicy(), Applied: applied[0]}}
	for _, v := range history.Versions() {
		out = append(out, Policy{Version: v.Version, From: ptrTo(v.From), RecordedAt: ptrTo(v.RecordedAt),
			Policy: v.Policy, Applied: applied[v.Version]})
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }
