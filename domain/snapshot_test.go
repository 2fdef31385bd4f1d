package domain

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inUTC is the facts with every time in UTC, as a snapshot gives them back
// (the moment is the same): a JSON round trip whose times are rewritten.
func inUTC[F any](t *testing.T, f F) F {
	t.Helper()
	raw, err := json.Marshal(f)
	require.NoError(t, err)
	var generic any
	require.NoError(t, json.Unmarshal(raw, &generic))
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			if tm, err := time.Parse(time.RFC3339Nano, x); err == nil && len(x) >= 20 {
				return tm.UTC().Format(time.RFC3339Nano)
			}
		}
		return v
	}
	raw, err = json.Marshal(walk(generic))
	require.NoError(t, err)
	var out F
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func TestCaseFactsSnapshotRoundTrips(t *testing.T) {
	t.Parallel()
	histories := append(cfRandomHistories(t, 40), cfRichHistory().all(), nil)
	for i, h := range histories {
		for split := 0; split <= len(h); split += max(1, len(h)/4) {
			f := FoldCase(h[:split])
			raw, err := f.MarshalBinary()
			require.NoError(t, err)
			var back CaseFacts
			require.NoError(t, back.UnmarshalBinary(raw), "history %d at %d", i, split)
			assert.Equal(t, inUTC(t, f), back, "history %d at %d", i, split)
			again, err := back.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, raw, again)
			// Folding on from the snapshot is folding on from the facts.
			for _, r := range h[split:] {
				back.Apply(r)
			}
			assert.Equal(t, inUTC(t, FoldCase(h)), inUTC(t, back), "history %d folded on from %d", i, split)
		}
	}
}

func TestChildFactsSnapshotRoundTrips(t *testing.T) {
	t.Parallel()
	for i, h := range append(chfRandomHistories(t, 40), nil) {
		for split := 0; split <= len(h); split += max(1, len(h)/4) {
			f := FoldChild(h[:split])
			raw, err := f.MarshalBinary()
			require.NoError(t, err)
			var back ChildFacts
			require.NoError(t, back.UnmarshalBinary(raw), "history %d at %d", i, split)
			assert.Equal(t, inUTC(t, f), back, "history %d at %d", i, split)
			for _, r := range h[split:] {
				back.Apply(r)
			}
			assert.Equal(t, inUTC(t, FoldChild(h)), inUTC(t, back), "history %d folded on from %d", i, split)
		}
	}
}

func TestWorkerFactsSnapshotRoundTrips(t *testing.T) {
	t.Parallel()
	w := WorkerFacts{ID: "w-1", Name: "王芳", Role: RoleChildDirector, Jurisdiction: mustPlace("370902101201"),
		RegisteredAt: dlT0, Trainings: []Training{{Passed: true, CompletedOn: NewDate(2025, time.March, 1)}, {CompletedOn: NewDate(2026, time.April, 2)}},
		Version: 3}
	moved := w
	moved.Posts = []Post{{Jurisdiction: mustPlace("370902101201"), From: dlT0}, {Jurisdiction: mustPlace("370902101202"), From: dlT0.Add(dlDay)}}
	moved.Jurisdiction, moved.DeactivatedAt, moved.DeactivationReason = mustPlace("370902101202"), dlT0.Add(2*dlDay), "调离"
	for _, f := range []WorkerFacts{w, moved, {}, {ID: "p", Role: RolePartner, Agency: term[agencyWords]("police")}} {
		raw, err := f.MarshalBinary()
		require.NoError(t, err)
		var back WorkerFacts
		require.NoError(t, back.UnmarshalBinary(raw))
		assert.Equal(t, inUTC(t, f), back)
	}
}

// TestSnapshotRefusesWhatIsNotOne: a cut, padded, mistagged or garbled
// snapshot is an error, never facts that are not the ones written.
func TestSnapshotRefusesWhatIsNotOne(t *testing.T) {
	t.Parallel()
	f := FoldCase(cfRichHistory().all())
	raw, err := f.MarshalBinary()
	require.NoError(t, err)
	var c CaseFacts
	for cut := 0; cut < len(raw); cut++ {
		assert.Error(t, c.UnmarshalBinary(raw[:cut]), "cut at %d", cut)
	}
	assert.Error(t, c.UnmarshalBinary(append(append([]byte{}, raw...), 0)), "trailing byte")
	var ch ChildFacts
	assert.Error(t, ch.UnmarshalBinary(raw), "a case's snapshot is not a child's")
	garbled := append([]byte{}, raw...)
	i := len(garbled) / 3
	for ; i < len(garbled) && garbled[i] < 'a'; i++ {
	}
	garbled[i] = 0xff
	err = c.UnmarshalBinary(garbled)
	if err == nil {
		back, _ := c.MarshalBinary()
		assert.NotEqual(t, raw, back, "a garbled byte that still decodes gives other facts")
	}
	assert.Equal(t, CaseFacts{}, func() CaseFacts { var z CaseFacts; _ = z.UnmarshalBinary(raw[:5]); return z }(), "a failed read leaves the facts as they were")
}

// TestSnapshotIsSmallerThanJSON: the point of the layout.
func TestSnapshotIsSmallerThanJSON(t *testing.T) {
	t.Parallel()
	f := FoldCase(cfRichHistory().all())
	raw, err := f.MarshalBinary()
	require.NoError(t, err)
	js, err := json.Marshal(f)
	require.NoError(t, err)
	assert.Less(t, len(raw)*3, len(js)*2, "binary %d bytes, JSON %d", len(raw), len(js))
}

func FuzzCaseFactsSnapshot(f *testing.F) {
	raw, err := FoldCase(cfRichHistory().all()).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte{snapshotCase})
	f.Fuzz(func(t *testing.T, b []byte) {
		var c CaseFacts
		if c.UnmarshalBinary(b) != nil {
			return
		}
		again, err := c.MarshalBinary()
		require.NoError(t, err)
		var back CaseFacts
		require.NoError(t, back.UnmarshalBinary(again), "what decoded once decodes again")
		assert.Equal(t, c, back)
	})
}

func FuzzChildFactsSnapshot(f *testing.F) {
	key, left := true, false
	place := mustPlace("370902101201")
	raw, err := ChildFacts{ID: "c", Jurisdiction: place, BirthYear: 2015, Sex: term[sexWords]("male"),
		Categories: []Category{categoryLeftBehind}, KeyChildFlags: []KeyChildFlag{}, RegisteredAt: dlT0,
		Registered: ChildState{Place: place, LeftBehind: true}, Changes: []ChildChange{{At: dlAt(dlDay), Place: &place, KeyChild: &key, LeftBehind: &left}},
		Visits: []time.Time{dlAt(2 * dlDay)}, Verified: []time.Time{dlT0, dlAt(2 * dlDay)}, ErasedAt: ptrTo(dlAt(9 * dlDay)), Version: 4}.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		var c ChildFacts
		if c.UnmarshalBinary(b) != nil {
			return
		}
		again, err := c.MarshalBinary()
		require.NoError(t, err)
		var back ChildFacts
		require.NoError(t, back.UnmarshalBinary(again))
		assert.Equal(t, c, back)
	})
}
