package report

import (
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/record"
)

// A report is read within a jurisdiction (its scope), and what lies outside
// it stays unseen (属地管理), as everywhere in the API. A report on a case
// shows the case's child; a child moves, and its file follows it to the new
// place, whose business it then is. So the child's stream is shown in full
// only while the child lies within the scope; otherwise a reader sees what
// was recorded while the child lay within it, and each move out of it
// without where to (MovedOutSummary) — never the new village, its workers
// or their acts. A report on a child (which must lie within the scope)
// leaves out the child's cases that lie outside it.

// MovedOutSummary is the timeline's line for a child's move out of the
// reader's jurisdiction: it says that the child left, not where to.
const MovedOutSummary = "迁出本辖区"

// childView is the part of a child's stream a reader sees when the child
// lies outside the reader's scope: the entries recorded while it lay
// within, and the moves out.
type childView struct {
	// movedOut are the positions of the moves out of the scope, shown
	// without their content.
	movedOut map[int64]bool
	// left is the business time of the last move out; nil when the child
	// never lay within the scope.
	left *time.Time
	// within tells, along the log's time, whether the child lay within the
	// scope: from each entry's recording on.
	within []stretch
	// ref names the stream up to the last entry shown in full.
	ref StreamRef
}

// stretch is a stretch of log time from since on, during which the child
// lay within the scope or not.
type stretch struct {
	since  time.Time
	inside bool
}

// viewChild cuts a child's stream to what a reader of scope sees: the
// entries after which the child lay within scope, and the moves out of it
// (entries after which it lay outside, having lain within before). The
// place each entry leaves the child in is the domain's fold.
func viewChild(id domain.StreamID, s record.Stream, scope domain.Jurisdiction) (record.Stream, *childView) {
	v := &childView{movedOut: map[int64]bool{}, ref: StreamRef{StreamID: id.String(), Withheld: true}}
	var shown record.Stream
	var facts domain.ChildFacts
	inside := false
	for i, r := range s.Events {
		facts.Apply(r)
		now := facts.Opened() && scope.Covers(facts.Jurisdiction)
		switch {
		case now:
			shown.Events = append(shown.Events, r)
			v.ref.Version, v.ref.LastPosition, v.ref.LastHash = r.Version, r.Position, hashAt(s, i)
		case inside:
			shown.Events = append(shown.Events, r)
			v.movedOut[r.Position] = true
			at := r.OccurredAt
			v.left = &at
		}
		if len(v.within) == 0 || v.within[len(v.within)-1].inside != now {
			v.within = append(v.within, stretch{since: r.RecordedAt, inside: now})
		}
		inside = now
	}
	shown.LastHash = v.ref.LastHash
	return shown, v
}

// hashAt is the hash of the i-th event of a stream.
func hashAt(s record.Stream, i int) string {
	if i < len(s.Hashes) {
		return s.Hashes[i]
	}
	return ""
}

// sawAt reports whether the child lay within the scope at t (log time): a
// read of the child's file then is the scope's to see.
func (v *childView) sawAt(t time.Time) bool {
	inside := false
	for _, s := range v.within {
		if s.since.After(t) {
			break
		}
		inside = s.inside
	}
	return inside
}

// deadlines are the child's obligations as the scope sees them: until the
// child last left it, owned within it (domain.ChildDeadlinesUntil); none
// when it never lay within it. One that a post outside the scope owned at
// any moment — the child had left and come back — is not the scope's to
// see either.
func (v *childView) deadlines(f domain.ChildFacts, cases []domain.CaseFacts, policies domain.PolicyHistory, asOf time.Time, scope domain.Jurisdiction) []domain.Deadline {
	if v.left == nil {
		return nil
	}
	var out []domain.Deadline
	for _, d := range domain.ChildDeadlinesUntil(f, cases, policies, asOf, *v.left) {
		if ownedWithin(d, scope) {
			out = append(out, d)
		}
	}
	return out
}

// ownedWithin reports whether every post that owned d lies within scope.
func ownedWithin(d domain.Deadline, scope domain.Jurisdiction) bool {
	for _, s := range d.Owners {
		if _, ok := domain.PostOwner(s.Owner); !ok {
			continue
		}
		if place, err := domain.ParseJurisdiction(postPlace(s.Owner)); err != nil || !scope.Covers(place) {
			return false
		}
	}
	return true
}

// postPlace is the place of a post owner ("child_director:370902101201").
func postPlace(owner string) string {
	_, place, _ := strings.Cut(owner, ":")
	return place
}
