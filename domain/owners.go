package domain

import (
	"slices"
	"strings"
	"time"
)

// Obligations of a post — a village's child director, a township's
// supervisor — are owned by the post (child_director:370902101201) in the
// clocks, which know nothing of who held it; an inquiry needs the person
// (责有人负). PostHolding and the functions below resolve a post owner to
// the active registered worker holding the post at each moment, and keep
// the post, marked vacant, only where nobody held it.

// PostHolding is a worker's tenure of a post: [From, Until), Until zero
// while it is still held. Post is spelled as an owner: "role:jurisdiction".
type PostHolding struct {
	WorkerID string
	Post     string
	From     time.Time
	Until    time.Time
}

// Holdings are the worker's tenures as post holdings.
func (f WorkerFacts) Holdings() []PostHolding {
	var out []PostHolding
	for _, t := range f.Tenures() {
		out = append(out, PostHolding{WorkerID: f.ID, Post: f.Role.String() + ":" + t.Jurisdiction.String(), From: t.From, Until: t.Until})
	}
	return out
}

func (h PostHolding) holds(at time.Time) bool {
	return !at.Before(h.From) && (h.Until.IsZero() || at.Before(h.Until))
}

// PostOwner reports whether owner names a post one person holds — a
// village's child director or a township's supervisor — and its role.
func PostOwner(owner string) (Role, bool) {
	role, _, ok := strings.Cut(owner, ":")
	switch {
	case !ok:
		return Role{}, false
	case role == RoleChildDirector.String():
		return RoleChildDirector, true
	case role == RoleChildSupervisor.String():
		return RoleChildSupervisor, true
	}
	return Role{}, false
}

// ResolveOwner is who owned an obligation owned by owner at time at: for a
// post, the worker holding it then (of several, the one who took it last),
// or the post itself, vacant, when nobody held it; any other owner (a
// worker, a center, an agency) is itself.
func ResolveOwner(owner string, at time.Time, holdings []PostHolding) (resolved string, vacant bool) {
	if _, ok := PostOwner(owner); !ok {
		return owner, false
	}
	var best *PostHolding
	for i, h := range holdings {
		if h.Post != owner || !h.holds(at) {
			continue
		}
		if best == nil || h.From.After(best.From) || (h.From.Equal(best.From) && h.WorkerID > best.WorkerID) {
			best = &holdings[i]
		}
	}
	if best == nil {
		return owner, true
	}
	return best.WorkerID, false
}

// ResolvedSpan is an owner span with its post resolved: Owner is a worker,
// or the post when Vacant.
type ResolvedSpan struct {
	Owner  string    `json:"owner"`
	From   time.Time `json:"from"`
	Vacant bool      `json:"vacant,omitempty"`
}

// ResolveSpans resolves an obligation's ownership history: each span owned
// by a post is split where its holder changes, so that the history names
// every person who held the obligation and since when.
func ResolveSpans(spans []OwnerSpan, holdings []PostHolding) []ResolvedSpan {
	var out []ResolvedSpan
	add := func(owner string, from time.Time, vacant bool) {
		if n := len(out); n > 0 && out[n-1].Owner == owner && out[n-1].Vacant == vacant {
			return
		}
		out = append(out, ResolvedSpan{Owner: owner, From: from, Vacant: vacant})
	}
	for i, s := range spans {
		var end time.Time
		if i+1 < len(spans) {
			end = spans[i+1].From
		}
		moments := []time.Time{s.From}
		if _, ok := PostOwner(s.Owner); ok {
			for _, h := range holdings {
				for _, m := range []time.Time{h.From, h.Until} {
					if h.Post == s.Owner && !m.IsZero() && m.After(s.From) && (end.IsZero() || m.Before(end)) {
						moments = append(moments, m)
					}
				}
			}
		}
		slices.SortFunc(moments, time.Time.Compare)
		for _, m := range slices.CompactFunc(moments, time.Time.Equal) {
			owner, vacant := ResolveOwner(s.Owner, m, holdings)
			add(owner, m, vacant)
		}
	}
	return out
}
