package domain

import (
	"sort"
	"time"
)

// childSnapshot is what the visit and verification clocks need of a
// child's file from at on.
type childSnapshot struct {
	at    time.Time
	place Jurisdiction
	key   bool // any key-child flag (重点儿童)
}

// visitDue is the visit interval this state asks for: a key child's, or
// every other registered child's (left-behind, in difficulty, orphan:
// the policy's left_behind_visit, 90 days by default).
func (s childSnapshot) visitDue(p DeadlinePolicy) time.Duration {
	if s.key {
		return p.KeyChildVisit.D
	}
	return p.LeftBehindVisit.D
}

// visited: every registered child is visited (督导员职责 4).
func (s childSnapshot) visited() bool { return true }

// ChildDeadlines derives the obligations of one child's file from its
// facts (as the record stands, or — folded from a prefix of the stream — as
// it stood; judged at now), ordered by StartedAt, then kind; all are owned
// by the director of the child's village ("child_director:<village>"),
// following the child if it moves.
//
// Visits: a sequence of intervals, registration → first visit → next visit
// …, each met by the next visit; KeyChildVisit for a key child (any flag),
// LeftBehindVisit for every other registered child, by the file as it
// stood when the interval began.
//
// Information verification: one deadline per policy verification day (1
// September by default, midnight China Standard Time) after registration,
// up to the first one after now. The first starts at registration, each
// next at the previous day, and the policy in force then sets the next
// day. It is met by the first event that verifies the file — registration,
// profile update, visit, entrustment confirmation — in the 12 months before
// the day, or met_late by the first one after it.
//
// Report after a visit: a visit that finds a mandatory-report concern
// (ConcernVisits) while the child has no open case obliges its visitor to
// report it within the policy's report_after_visit; the first of the
// child's cases received at or after the visit meets it. cases are the
// child's cases as the record holds them (others are ignored).
//
// After ChildDataErased no obligation starts, and those running at the
// erasure end: missed if already due, dropped if not.
func ChildDeadlines(f ChildFacts, cases []CaseFacts, policies PolicyHistory, now time.Time) []Deadline {
	if !f.Opened() {
		return nil
	}
	childID, regAt, visits, verified := f.ID, f.RegisteredAt, f.Visits, f.Verified
	snaps := childSnapshots(f.Registered, regAt, f.Changes)
	stateAt := func(t time.Time) childSnapshot {
		i := sort.Search(len(snaps), func(i int) bool { return snaps[i].at.After(t) })
		return snaps[max(i, 1)-1]
	}
	directors := make([]OwnerSpan, 0, 1)
	for _, s := range snaps {
		owner := directorOwner(s.place)
		if len(directors) == 0 || directors[len(directors)-1].Owner != owner {
			directors = append(directors, OwnerSpan{Owner: owner, From: s.at})
		}
	}
	endedAt := f.ErasedAt
	stopped := func(t time.Time) bool { return endedAt != nil && !t.Before(*endedAt) }

	var out []Deadline
	emit := func(kind DeadlineKind, start, due time.Time, met *time.Time, version int64) {
		d := Deadline{Kind: kind, SubjectID: childID, StartedAt: start, DueAt: due, MetAt: met,
			PolicyVersion: version, Owners: ownersFrom(start, directorOwner(f.Registered.Place), directors)}
		if d, ok := settleDeadline(d, now, endedAt); ok {
			out = append(out, d)
		}
	}

	// Visits. nextVisited[j] is the first snapshot from j on that asks for
	// visits, so that a child who starts to need them gets a clock at once.
	nextVisited := make([]int, len(snaps)+1)
	nextVisited[len(snaps)] = len(snaps)
	for j := len(snaps) - 1; j >= 0; j-- {
		nextVisited[j] = nextVisited[j+1]
		if snaps[j].visited() {
			nextVisited[j] = j
		}
	}
	vi := 0
	for anchor := regAt; !stopped(anchor); {
		for vi < len(visits) && !visits[vi].After(anchor) {
			vi++
		}
		var next firstAt
		if vi < len(visits) {
			next.see(visits[vi])
		}
		state := stateAt(anchor)
		if state.visited() {
			p, version := policies.InForce(anchor)
			emit(KindVisit, anchor, anchor.Add(state.visitDue(p)), next.ptr(), version)
		} else {
			j := sort.Search(len(snaps), func(i int) bool { return snaps[i].at.After(anchor) })
			if k := nextVisited[j]; k < len(snaps) {
				next.see(snaps[k].at)
			}
		}
		if !next.ok {
			break
		}
		anchor = next.t
	}

	// Yearly verification: due on the policy's day each year after
	// registration, up to the first one after now; met by the first
	// verifying event in the 12 months before it.
	start := regAt
	p, version := policies.InForce(start)
	due := verificationDay(start.In(ChinaStandardTime).Year(), p)
	if !due.After(start) {
		due = verificationDay(due.Year()+1, p)
	}
	for !stopped(start) {
		emit(KindInfoVerification, start, due, firstFrom(verified, due.AddDate(-1, 0, 0)), version)
		if due.After(now) {
			break
		}
		start = due
		p, version = policies.InForce(start)
		due = verificationDay(due.Year()+1, p)
	}

	for _, v := range f.ConcernVisits {
		if stopped(v.At) || caseOpenAt(childID, cases, v.At) {
			continue
		}
		var reported firstAt
		for _, c := range cases {
			if c.ChildID == childID && c.Opened() && !c.ReceivedAt.Before(v.At) {
				reported.see(c.ReceivedAt)
			}
		}
		p, version := policies.InForce(v.At)
		d := Deadline{Kind: KindReportAfterVisit, SubjectID: childID, StartedAt: v.At, DueAt: v.At.Add(p.ReportAfterVisit.D),
			MetAt: reported.ptr(), PolicyVersion: version, Owners: []OwnerSpan{{Owner: v.By, From: v.At}}}
		if d, ok := settleDeadline(d, now, endedAt); ok {
			out = append(out, d)
		}
	}
	sortDeadlines(out)
	return out
}

// ChildDeadlinesUntil are the obligations of a child's file as they stand
// for the place the child left at left (属地管理): from then on they are the
// new place's, which the one left behind does not see. None starts from
// left on; those running at left stop there as at an erasure — missed if
// already due, dropped if not, and met only if met before; and each names
// only the owners it had before left.
func ChildDeadlinesUntil(f ChildFacts, cases []CaseFacts, policies PolicyHistory, now, left time.Time) []Deadline {
	f = f.Clone()
	earliest(&f.ErasedAt, left)
	out := ChildDeadlines(f, cases, policies, now)
	for i := range out {
		owners := out[i].Owners
		for len(owners) > 1 && !owners[len(owners)-1].From.Before(left) {
			owners = owners[:len(owners)-1]
		}
		out[i].Owners = owners
	}
	return out
}

// caseOpenAt reports whether one of the child's cases was open at t.
func caseOpenAt(childID string, cases []CaseFacts, t time.Time) bool {
	for _, c := range cases {
		if c.ChildID == childID && c.OpenAt(t) {
			return true
		}
	}
	return false
}

// verificationDay is the policy's yearly verification day in year, at its
// first instant in China Standard Time.
func verificationDay(year int, p DeadlinePolicy) time.Time {
	md := p.InfoVerification
	if md.Month < time.January || md.Month > time.December || md.Day < 1 || md.Day > 31 {
		md = DefaultPolicy().InfoVerification
	}
	return time.Date(year, md.Month, md.Day, 0, 0, 0, 0, ChinaStandardTime)
}

// childSnapshots folds the profile changes, in business-time order, into
// the states of the file (the first at registration).
func childSnapshots(reg ChildState, regAt time.Time, changes []ChildChange) []childSnapshot {
	cur := childSnapshot{at: regAt, place: reg.Place, key: reg.KeyChild}
	snaps := make([]childSnapshot, 1, 1+len(changes))
	snaps[0] = cur
	for _, c := range changes {
		if c.Place != nil {
			cur.place = *c.Place
		}
		if c.KeyChild != nil {
			cur.key = *c.KeyChild
		}
		last := &snaps[len(snaps)-1]
		if cur.place == last.place && cur.key == last.key {
			continue
		}
		cur.at = c.At
		if cur.at.Before(regAt) {
			cur.at = regAt
		}
		if cur.at.Equal(last.at) {
			*last = cur
			continue
		}
		snaps = append(snaps, cur)
	}
	return snaps
}
