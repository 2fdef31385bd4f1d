package domain

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of ChildFacts, the one fold of a child's file. Child k1 lives
// in dlVillage and is registered at dlT0 by dlReceiver.

var (
	chfVillage2   = Jurisdiction{code: "370902101202"}
	chfVillage3   = Jurisdiction{code: "370911001001"}
	chfLeftBehind = term[categoryWords]("left_behind")
	chfDifficulty = term[categoryWords]("in_difficulty")
	chfOrphan     = term[categoryWords]("scattered_orphan")
	chfDropout    = term[keyChildFlagWords]("dropout")
	chfIllness    = term[keyChildFlagWords]("illness")
	chfPoverty    = term[difficultyWords]("poverty")
	chfFemale     = term[sexWords]("female")
	chfMale       = term[sexWords]("male")
)

// chfRegistration is k1's registration, with personal data the facts must
// leave out.
func chfRegistration() ChildRegistered {
	return ChildRegistered{
		ChildID: "k1", Name: "王小梅", IDNumber: "11010520150314158X", BirthDate: NewDate(2015, time.March, 14), Sex: chfFemale,
		Jurisdiction: dlVillage, Categories: []Category{chfLeftBehind}, KeyChildFlags: []KeyChildFlag{},
		Guardian:          Guardian{Name: "王奶奶", Relation: "grandmother", Phone: "+86-138-0000-0000"},
		EntrustedGuardian: &Guardian{Name: "李叔叔", Relation: "uncle", Phone: "13600001111"},
		LivingSituation:   "与奶奶同住，父母在广东务工", Schooling: "村小四年级", HukouRegistered: true,
	}
}

func chfRegistered() *dlStream {
	return dlNew(ChildStream("k1")).by(dlReceiver, dlT0, dlT0, chfRegistration())
}

// chfWithoutBookkeeping is f without the version, position and horizon.
func chfWithoutBookkeeping(f ChildFacts) ChildFacts {
	f = f.Clone()
	f.Version, f.LastPosition, f.Horizon = 0, 0, time.Time{}
	return f
}

type chfSpec struct {
	name  string
	given *dlStream
	then  func(t *testing.T, f ChildFacts)
}

func runCHFSpecs(t *testing.T, specs []chfSpec) {
	t.Helper()
	for _, s := range specs {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.then(t, FoldChild(s.given.all()))
		})
	}
}

func TestChildFactsRegistration(t *testing.T) {
	t.Parallel()
	runCHFSpecs(t, []chfSpec{
		{name: "a registration opens the file without its personal data", given: chfRegistered(),
			then: func(t *testing.T, f ChildFacts) {
				assert.True(t, f.Opened())
				assert.Equal(t, ChildFacts{
					ID: "k1", Jurisdiction: dlVillage, BirthYear: 2015, Sex: chfFemale, Categories: []Category{chfLeftBehind},
					KeyChildFlags: []KeyChildFlag{}, HukouRegistered: true, RegisteredAt: dlT0,
					Registered: ChildState{Place: dlVillage, LeftBehind: true}, Verified: []time.Time{dlT0},
					Version: 1, LastPosition: 1, Horizon: dlT0,
				}, f)
				assert.False(t, f.IsKeyChild())
				assert.True(t, f.IsLeftBehind())
				assert.False(t, f.Erased())
				assert.Nil(t, f.LastVisitAt())
			}},
		{name: "a key child in difficulty",
			given: dlNew(ChildStream("k1")).by(dlReceiver, dlT0, dlT0, func() ChildRegistered {
				e := chfRegistration()
				e.Categories, e.DifficultyReasons, e.KeyChildFlags = []Category{chfDifficulty}, []DifficultyReason{chfPoverty}, []KeyChildFlag{chfIllness}
				return e
			}()),
			then: func(t *testing.T, f ChildFacts) {
				assert.True(t, f.IsKeyChild())
				assert.False(t, f.IsLeftBehind())
				assert.Equal(t, []DifficultyReason{chfPoverty}, f.DifficultyReasons)
				assert.Equal(t, ChildState{Place: dlVillage, KeyChild: true}, f.Registered)
			}},
		{name: "no key-child flags given: an empty list, not none",
			given: dlNew(ChildStream("k1")).by(dlReceiver, dlT0, dlT0, func() ChildRegistered {
				e := chfRegistration()
				e.KeyChildFlags = nil
				return e
			}()),
			then: func(t *testing.T, f ChildFacts) {
				assert.NotNil(t, f.KeyChildFlags)
				assert.Empty(t, f.KeyChildFlags)
			}},
		{name: "a registration without a child id takes the stream's",
			given: dlNew(ChildStream("from-stream")).by(dlReceiver, dlT0, dlT0, func() ChildRegistered {
				e := chfRegistration()
				e.ChildID = ""
				return e
			}()),
			then: func(t *testing.T, f ChildFacts) { assert.Equal(t, "from-stream", f.ID) }},
	})

	t.Run("no stream, no file", func(t *testing.T) {
		t.Parallel()
		f := FoldChild(nil)
		assert.Equal(t, ChildFacts{}, f)
		assert.False(t, f.Opened())
		assert.Nil(t, ChildDeadlines(FoldChild(nil), nil, PolicyHistory{}, dlT0))
	})

	t.Run("the registration's lists are the facts' own", func(t *testing.T) {
		t.Parallel()
		e := chfRegistration()
		e.DifficultyReasons, e.KeyChildFlags = []DifficultyReason{chfPoverty}, []KeyChildFlag{chfIllness}
		history := dlNew(ChildStream("k1")).by(dlReceiver, dlT0, dlT0, e).all()
		f := FoldChild(history)
		e.Categories[0], e.DifficultyReasons[0], e.KeyChildFlags[0] = Category{}, DifficultyReason{}, KeyChildFlag{}
		assert.Equal(t, []Category{chfLeftBehind}, f.Categories)
		assert.Equal(t, []DifficultyReason{chfPoverty}, f.DifficultyReasons)
		assert.Equal(t, []KeyChildFlag{chfIllness}, f.KeyChildFlags)
	})
}

// TestChildFactsChangeNothing: given a file, when one of these events is
// entered, then the file is as before but for the version, position and
// horizon.
func TestChildFactsChangeNothing(t *testing.T) {
	t.Parallel()
	given := func() *dlStream {
		return chfRegistered().at(dlAt(dlDay), dlVisit()).at(dlAt(2*dlDay), ChildDataErased{Reason: "court order"})
	}
	second := chfRegistration()
	second.Jurisdiction, second.BirthDate, second.Sex = chfVillage2, NewDate(2012, time.July, 1), chfMale
	second.Categories, second.KeyChildFlags, second.HukouRegistered = []Category{chfOrphan}, []KeyChildFlag{chfDropout}, false
	cats, flags, place := []Category{chfDifficulty}, []KeyChildFlag{chfDropout}, chfVillage3
	for _, tc := range []struct {
		name     string
		occurred time.Time
		event    Event
	}{
		{"a second registration", dlAt(3 * dlDay), second},
		{"a second registration, back-dated", dlT0.Add(-dlDay), second},
		{"an update after the erasure", dlAt(3 * dlDay), ChildProfileUpdated{Jurisdiction: &place, Categories: &cats, KeyChildFlags: &flags}},
		{"an update after the erasure, back-dated before it", dlAt(dlDay), ChildProfileUpdated{Categories: &cats}},
		{"an event of a case", dlAt(3 * dlDay), CaseClosed{Reason: cfResolved}},
		{"a correction", dlAt(3 * dlDay), EntryCorrected{CorrectedType: "child.visit_recorded", Correction: "c", Reason: "r"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := FoldChild(given().all())
			after := FoldChild(given().late(tc.occurred, dlAt(4*dlDay), tc.event).all())
			assert.Equal(t, chfWithoutBookkeeping(before), chfWithoutBookkeeping(after))
			assert.Equal(t, int64(4), after.Version)
			assert.Equal(t, int64(4), after.LastPosition)
		})
	}

	t.Run("events before the registration: only the version counts them", func(t *testing.T) {
		t.Parallel()
		s := dlNew(ChildStream("k1")).
			at(dlT0.Add(-dlDay), dlVisit()).
			at(dlT0.Add(-time.Hour), ChildProfileUpdated{KeyChildFlags: &flags}).
			at(dlT0.Add(-time.Minute), GuardianshipEntrustmentConfirmed{EntrustedGuardian: Guardian{Name: "n", Relation: "r"}}).
			at(dlT0.Add(-time.Second), ChildDataErased{Reason: "r"})
		unopened := FoldChild(s.all())
		require.False(t, unopened.Opened())
		f := FoldChild(s.by(dlReceiver, dlT0, dlT0, chfRegistration()).all())
		assert.Equal(t, chfWithoutBookkeeping(FoldChild(chfRegistered().all())), chfWithoutBookkeeping(f))
		assert.Equal(t, int64(5), f.Version)
		assert.False(t, f.Erased(), "an erasure before the file was opened erases nothing")
	})
}

func TestChildFactsProfileUpdates(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	place2, place3 := chfVillage2, chfVillage3
	cats := func(cs ...Category) *[]Category { return &cs }
	flags := func(fs ...KeyChildFlag) *[]KeyChildFlag { return &fs }
	runCHFSpecs(t, []chfSpec{
		{name: "an update of the place, categories and flags is a change the clocks read",
			given: chfRegistered().at(dlAt(2*dlDay), ChildProfileUpdated{Jurisdiction: &place2, Categories: cats(chfDifficulty),
				KeyChildFlags: flags(chfDropout)}),
			then: func(t *testing.T, f ChildFacts) {
				assert.Equal(t, chfVillage2, f.Jurisdiction)
				assert.Equal(t, []Category{chfDifficulty}, f.Categories)
				assert.Equal(t, []KeyChildFlag{chfDropout}, f.KeyChildFlags)
				assert.True(t, f.IsKeyChild())
				assert.False(t, f.IsLeftBehind())
				assert.Equal(t, []ChildChange{{At: dlAt(2 * dlDay), Place: &place2, KeyChild: &yes, LeftBehind: &no}}, f.Changes)
				assert.Equal(t, ChildState{Place: dlVillage, LeftBehind: true}, f.Registered, "as registered")
				assert.Equal(t, []time.Time{dlT0, dlAt(2 * dlDay)}, f.Verified)
			}},
		{name: "a change carries only what was given",
			given: chfRegistered().at(dlAt(dlDay), ChildProfileUpdated{KeyChildFlags: flags(chfIllness)}),
			then: func(t *testing.T, f ChildFacts) {
				assert.Equal(t, []ChildChange{{At: dlAt(dlDay), KeyChild: &yes}}, f.Changes)
			}},
		{name: "emptying the flags: no longer a key child",
			given: chfRegistered().at(dlAt(dlDay), ChildProfileUpdated{KeyChildFlags: flags(chfIllness)}).
				at(dlAt(2*dlDay), ChildProfileUpdated{KeyChildFlags: flags()}),
			then: func(t *testing.T, f ChildFacts) {
				assert.False(t, f.IsKeyChild())
				assert.Equal(t, []ChildChange{{At: dlAt(dlDay), KeyChild: &yes}, {At: dlAt(2 * dlDay), KeyChild: &no}}, f.Changes)
			}},
		{name: "an update of nothing the clocks read is no change, but verifies the file",
			given: chfRegistered().at(dlAt(dlDay), func() ChildProfileUpdated {
				name, school, sex, born, hukou := "王晓梅", "镇中学", chfMale, NewDate(2016, time.January, 2), false
				reasons := []DifficultyReason{chfPoverty}
				return ChildProfileUpdated{Name: &name, Schooling: &school, Sex: &sex, BirthDate: &born, HukouRegistered: &hukou,
					DifficultyReasons: &reasons, Guardian: &Guardian{Name: "n", Relation: "r"}}
			}()),
			then: func(t *testing.T, f ChildFacts) {
				assert.Nil(t, f.Changes)
				assert.Equal(t, chfMale, f.Sex)
				assert.Equal(t, 2016, f.BirthYear)
				assert.False(t, f.HukouRegistered)
				assert.Equal(t, []DifficultyReason{chfPoverty}, f.DifficultyReasons)
				assert.Equal(t, []time.Time{dlT0, dlAt(dlDay)}, f.Verified)
			}},
		{name: "changes by business time; the state as entered",
			given: chfRegistered().at(dlAt(5*dlDay), ChildProfileUpdated{Jurisdiction: &place2}).
				late(dlAt(3*dlDay), dlAt(6*dlDay), ChildProfileUpdated{Jurisdiction: &place3}).
				late(dlAt(5*dlDay), dlAt(7*dlDay), ChildProfileUpdated{Categories: cats(chfOrphan)}),
			then: func(t *testing.T, f ChildFacts) {
				assert.Equal(t, chfVillage3, f.Jurisdiction, "the last entered")
				assert.Equal(t, []ChildChange{
					{At: dlAt(3 * dlDay), Place: &place3}, {At: dlAt(5 * dlDay), Place: &place2}, {At: dlAt(5 * dlDay), LeftBehind: &no},
				}, f.Changes, "by business time, a tie in the order entered")
				assert.Equal(t, []time.Time{dlT0, dlAt(3 * dlDay), dlAt(5 * dlDay), dlAt(5 * dlDay)}, f.Verified)
			}},
		{name: "after an erasure no update changes the file",
			given: chfRegistered().at(dlAt(dlDay), ChildProfileUpdated{Jurisdiction: &place2}).
				at(dlAt(2*dlDay), ChildDataErased{Reason: "r"}).
				at(dlAt(3*dlDay), ChildProfileUpdated{Jurisdiction: &place3, KeyChildFlags: flags(chfDropout)}),
			then: func(t *testing.T, f ChildFacts) {
				assert.Equal(t, chfVillage2, f.Jurisdiction)
				assert.False(t, f.IsKeyChild())
				assert.Equal(t, []ChildChange{{At: dlAt(dlDay), Place: &place2}}, f.Changes)
				assert.Equal(t, []time.Time{dlT0, dlAt(dlDay)}, f.Verified)
			}},
	})
}

func TestChildFactsVisitsAndErasure(t *testing.T) {
	t.Parallel()
	entrusted := GuardianshipEntrustmentConfirmed{EntrustedGuardian: Guardian{Name: "n", Relation: "r"}}
	runCHFSpecs(t, []chfSpec{
		{name: "visits by business time; the last visit is the latest",
			given: chfRegistered().at(dlAt(3*dlDay), dlVisit()).late(dlAt(dlDay), dlAt(4*dlDay), dlVisit()).
				at(dlAt(2*dlDay), entrusted),
			then: func(t *testing.T, f ChildFacts) {
				assert.Equal(t, []time.Time{dlAt(dlDay), dlAt(3 * dlDay)}, f.Visits)
				assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.LastVisitAt())
				assert.Equal(t, []time.Time{dlT0, dlAt(dlDay), dlAt(2 * dlDay), dlAt(3 * dlDay)}, f.Verified)
				assert.Equal(t, dlAt(3*dlDay), f.Horizon)
			}},
		{name: "erased: when",
			given: chfRegistered().at(dlAt(5*dlDay), ChildDataErased{Reason: "r"}),
			then: func(t *testing.T, f ChildFacts) {
				assert.True(t, f.Erased())
				assert.Equal(t, dlPtr(dlAt(5*dlDay)), f.ErasedAt)
			}},
		{name: "erased twice: the earliest",
			given: chfRegistered().at(dlAt(5*dlDay), ChildDataErased{Reason: "r"}).late(dlAt(3*dlDay), dlAt(6*dlDay), ChildDataErased{Reason: "r"}),
			then: func(t *testing.T, f ChildFacts) {
				assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.ErasedAt)
			}},
		{name: "a visit after the erasure is still a visit",
			given: chfRegistered().at(dlAt(2*dlDay), ChildDataErased{Reason: "r"}).at(dlAt(3*dlDay), dlVisit()),
			then: func(t *testing.T, f ChildFacts) {
				assert.Equal(t, []time.Time{dlAt(3 * dlDay)}, f.Visits)
				assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.LastVisitAt())
			}},
	})

	t.Run("LastVisitAt hands out a copy", func(t *testing.T) {
		t.Parallel()
		f := FoldChild(chfRegistered().at(dlAt(dlDay), dlVisit()).all())
		*f.LastVisitAt() = time.Time{}
		assert.Equal(t, []time.Time{dlAt(dlDay)}, f.Visits)
	})
}

func TestChildFactsClone(t *testing.T) {
	t.Parallel()
	place2, flags := chfVillage2, []KeyChildFlag{chfDropout}
	history := dlNew(ChildStream("k1")).by(dlReceiver, dlT0, dlT0, func() ChildRegistered {
		e := chfRegistration()
		e.DifficultyReasons = []DifficultyReason{chfPoverty}
		return e
	}()).
		at(dlAt(dlDay), ChildProfileUpdated{Jurisdiction: &place2, KeyChildFlags: &flags}).
		at(dlAt(2*dlDay), dlVisit()).
		at(dlAt(2*dlDay+time.Hour), dlConcernVisit()).
		at(dlAt(3*dlDay), ChildDataErased{Reason: "r"}).all()
	cfRequireFilled(t, FoldChild(history))

	t.Run("a changed clone leaves the original", func(t *testing.T) {
		t.Parallel()
		orig, want := FoldChild(history), FoldChild(history)
		c := orig.Clone()
		require.Equal(t, want, c)
		c.Categories[0], c.DifficultyReasons[0], c.KeyChildFlags[0] = Category{}, DifficultyReason{}, KeyChildFlag{}
		c.Changes[0].At = time.Time{}
		*c.Changes[0].Place = Jurisdiction{}
		*c.Changes[0].KeyChild = false
		c.Visits[0], c.Verified[0] = time.Time{}, time.Time{}
		*c.ErasedAt = time.Time{}
		assert.Equal(t, want, orig)

		c = orig.Clone()
		cfScribble(reflect.ValueOf(&c).Elem())
		assert.NotEqual(t, want, c, "the scribble changed the clone")
		assert.Equal(t, want, orig)
	})

	t.Run("a changed original leaves the clone", func(t *testing.T) {
		t.Parallel()
		orig, want := FoldChild(history), FoldChild(history)
		c := orig.Clone()
		cfScribble(reflect.ValueOf(&orig).Elem())
		assert.Equal(t, want, c)
	})
}

// TestChildFactsFoldIsIncremental folds random files in one go and in two
// halves with a JSON snapshot between them, at every split.
func TestChildFactsFoldIsIncremental(t *testing.T) {
	t.Parallel()
	now := dlAt(500 * dlDay)
	for n, h := range chfRandomHistories(t, 30) {
		whole := FoldChild(h)
		wholeJSON := cfJSON(t, whole)
		wholeDeadlines := cfJSON(t, ChildDeadlines(whole, nil, PolicyHistory{}, now))
		for k := 0; k <= len(h); k++ {
			first := FoldChild(h[:k])
			inMemory := first.Clone()
			for _, r := range h[k:] {
				inMemory.Apply(r)
			}
			require.Equal(t, whole, inMemory, "history %d split at %d, in memory", n, k)

			var snap ChildFacts
			require.NoError(t, json.Unmarshal([]byte(cfJSON(t, first)), &snap))
			for _, r := range h[k:] {
				snap.Apply(r)
			}
			require.JSONEq(t, wholeJSON, cfJSON(t, snap), "history %d split at %d, through JSON", n, k)
			require.JSONEq(t, wholeDeadlines, cfJSON(t, ChildDeadlines(snap, nil, PolicyHistory{}, now)), "history %d split at %d: deadlines", n, k)
		}
	}
}

// TestChildFactsAgreeWithARecount compares the fold of random files with
// a plain recount of the rules of ChildFacts' doc.
func TestChildFactsAgreeWithARecount(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for n, h := range chfRandomHistories(t, 120) {
		f := FoldChild(h)
		require.Equal(t, chfRecount(h), f, "history %d", n)
		if f.Erased() {
			seen["erased"]++
		}
		if len(f.Changes) > 1 {
			seen["changes"]++
		}
		if cfCount[ChildRegistered](h) > 1 {
			seen["registered twice"]++
		}
		if _, ok := h[0].Event.(ChildRegistered); !ok {
			seen["events before the registration"]++
		}
	}
	for _, what := range []string{"erased", "changes", "registered twice", "events before the registration"} {
		assert.Positive(t, seen[what], "the histories never had %s", what)
	}
}

// chfRecount is what ChildFacts' doc says the facts of a history are,
// counted plainly.
func chfRecount(h []Recorded) ChildFacts {
	var want ChildFacts
	if len(h) == 0 {
		return want
	}
	last := h[len(h)-1]
	want.Version, want.LastPosition = last.Version, last.Position
	for _, r := range h {
		if r.OccurredAt.After(want.Horizon) {
			want.Horizon = r.OccurredAt
		}
	}
	opened := slices.IndexFunc(h, func(r Recorded) bool { _, ok := r.Event.(ChildRegistered); return ok })
	if opened < 0 {
		return want
	}
	reg := h[opened].Event.(ChildRegistered)
	want.ID, want.Jurisdiction, want.BirthYear, want.Sex = reg.ChildID, reg.Jurisdiction, reg.BirthDate.Year(), reg.Sex
	want.Categories, want.DifficultyReasons, want.HukouRegistered = slices.Clone(reg.Categories), slices.Clone(reg.DifficultyReasons), reg.HukouRegistered
	want.KeyChildFlags = append([]KeyChildFlag{}, reg.KeyChildFlags...)
	want.RegisteredAt = h[opened].OccurredAt
	want.Registered = ChildState{Place: reg.Jurisdiction, KeyChild: len(reg.KeyChildFlags) > 0, LeftBehind: slices.Contains(reg.Categories, chfLeftBehind)}
	want.Verified = []time.Time{h[opened].OccurredAt}
	var erasures []time.Time
	for _, r := range h[opened+1:] {
		at := r.OccurredAt
		switch e := r.Event.(type) {
		case ChildProfileUpdated:
			if len(erasures) > 0 {
				continue
			}
			var ch ChildChange
			if e.BirthDate != nil {
				want.BirthYear = e.BirthDate.Year()
			}
			if e.Sex != nil {
				want.Sex = *e.Sex
			}
			if e.Jurisdiction != nil {
				want.Jurisdiction, ch.Place = *e.Jurisdiction, dlJurisdictionPtr(*e.Jurisdiction)
			}
			if e.Categories != nil {
				want.Categories = slices.Clone(*e.Categories)
				lb := slices.Contains(*e.Categories, chfLeftBehind)
				ch.LeftBehind = &lb
			}
			if e.DifficultyReasons != nil {
				want.DifficultyReasons = slices.Clone(*e.DifficultyReasons)
			}
			if e.KeyChildFlags != nil {
				want.KeyChildFlags = slices.Clone(*e.KeyChildFlags)
				key := len(*e.KeyChildFlags) > 0
				ch.KeyChild = &key
			}
			if e.HukouRegistered != nil {
				want.HukouRegistered = *e.HukouRegistered
			}
			if ch.Place != nil || ch.LeftBehind != nil || ch.KeyChild != nil {
				ch.At = at
				want.Changes = append(want.Changes, ch)
			}
			want.Verified = append(want.Verified, at)
		case VisitRecorded:
			want.Visits = append(want.Visits, at)
			want.Verified = append(want.Verified, at)
			if slices.ContainsFunc(e.Concerns, MandatoryReport) {
				want.ConcernVisits = append(want.ConcernVisits, ConcernVisit{At: at, By: r.Actor.Subject})
			}
		case GuardianshipEntrustmentConfirmed:
			want.Verified = append(want.Verified, at)
		case ChildDataErased:
			erasures = append(erasures, at)
		}
	}
	byTime := func(a, b time.Time) int { return a.Compare(b) }
	slices.SortStableFunc(want.Visits, byTime)
	slices.SortStableFunc(want.Verified, byTime)
	slices.SortStableFunc(want.ConcernVisits, func(a, b ConcernVisit) int { return a.At.Compare(b.At) })
	slices.SortStableFunc(want.Changes, func(a, b ChildChange) int { return a.At.Compare(b.At) })
	if len(erasures) > 0 {
		want.ErasedAt = dlPtr(slices.MinFunc(erasures, byTime))
	}
	return want
}

func dlJurisdictionPtr(j Jurisdiction) *Jurisdiction { return &j }

// chfRandomHistories are stored histories of random child files: a
// registration (sometimes after events that come before it), then
// updates of random fields, visits, entrustments, erasures, second
// registrations and events of other streams, at random business times
// entered in random order, through the registry's encoding.
func chfRandomHistories(t *testing.T, n int) [][]Recorded {
	t.Helper()
	rng := rand.New(rand.NewPCG(20250601, 9))
	places := []Jurisdiction{dlVillage, chfVillage2, chfVillage3}
	someOf := func(all ...string) []string {
		var out []string
		for _, w := range all {
			if rng.IntN(2) == 0 {
				out = append(out, w)
			}
		}
		return out
	}
	randomUpdate := func() ChildProfileUpdated {
		var u ChildProfileUpdated
		for u == (ChildProfileUpdated{}) {
			if rng.IntN(3) == 0 {
				p := casePick(rng, places)
				u.Jurisdiction = &p
			}
			if rng.IntN(3) == 0 {
				cs := dlCats(someOf("left_behind", "in_difficulty", "scattered_orphan")...)
				u.Categories = &cs
			}
			if rng.IntN(3) == 0 {
				fs := dlFlags(someOf("poor_guardianship", "dropout", "illness")...)
				u.KeyChildFlags = &fs
			}
			if rng.IntN(5) == 0 {
				name := casePick(rng, []string{"小明", "小红"})
				u.Name = &name
			}
			if rng.IntN(6) == 0 {
				sex := casePick(rng, []Sex{chfMale, chfFemale})
				u.Sex = &sex
			}
			if rng.IntN(6) == 0 {
				born := NewDate(2010+rng.IntN(8), time.April, 2)
				u.BirthDate = &born
			}
			if rng.IntN(6) == 0 {
				rs := []DifficultyReason{chfPoverty}
				u.DifficultyReasons = &rs
			}
			if rng.IntN(6) == 0 {
				h := rng.IntN(2) == 0
				u.HukouRegistered = &h
			}
		}
		return u
	}
	registration := func() ChildRegistered {
		e := chfRegistration()
		e.Jurisdiction = casePick(rng, places)
		e.Categories = dlCats(someOf("left_behind", "in_difficulty", "scattered_orphan")...)
		if rng.IntN(2) == 0 {
			e.KeyChildFlags = dlFlags(someOf("poor_guardianship", "dropout")...)
		} else {
			e.KeyChildFlags = nil
		}
		return e
	}
	out := make([][]Recorded, 0, n)
	for range n {
		someTime := func() time.Time { return dlT0.Add(time.Duration(rng.IntN(300*24)-48) * time.Hour) }
		var changes []Change
		event := func() Event {
			switch r := rng.IntN(20); {
			case r < 8:
				return randomUpdate()
			case r < 14:
				return dlVisit()
			case r < 16:
				return GuardianshipEntrustmentConfirmed{EntrustedGuardian: Guardian{Name: "n", Relation: "r"}}
			case r < 17:
				return ChildDataErased{Reason: "r"}
			case r < 18:
				return registration()
			default:
				return FollowUpRecorded{Note: "of a case"}
			}
		}
		if rng.IntN(4) == 0 {
			for range 1 + rng.IntN(2) {
				changes = append(changes, Change{Event: event(), Actor: dlWorker, OccurredAt: someTime()})
			}
		}
		changes = append(changes, Change{Event: registration(), Actor: dlReceiver, OccurredAt: dlT0})
		for range 5 + rng.IntN(20) {
			changes = append(changes, Change{Event: event(), Actor: dlWorker, OccurredAt: someTime()})
		}
		out = append(out, throughJSON(t, storedAs(ChildStream("k1"), changes...)))
	}
	return out
}
