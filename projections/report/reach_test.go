package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/record"
)

// TestViewChild: a reader of a county sees of a child who no longer lies
// in it the entries recorded while it did and each move out (without its
// content), but nothing recorded while the child lay elsewhere — here a
// stay in another county between two stays in this one — and the stream
// is named up to the last entry shown in full.
func TestViewChild(t *testing.T) {
	place := func(code string) domain.Jurisdiction {
		j, err := domain.ParseJurisdiction(code)
		require.NoError(t, err)
		return j
	}
	home, away, further := place("370902101201"), place("370911101201"), place("370983001001")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, domain.ChinaStandardTime)
	id := domain.ChildStream("k1")
	var s record.Stream
	add := func(e domain.Event) {
		n := int64(len(s.Events) + 1)
		at := t0.Add(time.Duration(n) * time.Hour)
		s.Events = append(s.Events, domain.Recorded{StreamID: id, Version: n, Position: 10 * n, Event: e, OccurredAt: at, RecordedAt: at})
		s.Hashes = append(s.Hashes, "h"+string(rune('0'+n)))
	}
	add(domain.ChildRegistered{ChildID: "k1", Jurisdiction: home}) // 1: shown
	add(domain.VisitRecorded{Findings: "在家"})                      // 2: shown
	add(domain.ChildProfileUpdated{Jurisdiction: &away})           // 3: moved out
	add(domain.VisitRecorded{Findings: "随母居住"})                    // 4: withheld
	add(domain.ChildProfileUpdated{Jurisdiction: &home})           // 5: back: shown
	add(domain.VisitRecorded{Findings: "在家"})                      // 6: shown
	add(domain.ChildProfileUpdated{Jurisdiction: &further})        // 7: moved out
	add(domain.VisitRecorded{Findings: "寄宿"})                      // 8: withheld
	s.LastHash = s.Hashes[len(s.Hashes)-1]

	shown, v := viewChild(id, s, place("370902"))
	var positions []int64
	for _, r := range shown.Events {
		positions = append(positions, r.Position)
	}
	assert.Equal(t, []int64{10, 20, 30, 50, 60, 70}, positions)
	assert.Equal(t, map[int64]bool{30: true, 70: true}, v.movedOut)
	assert.Equal(t, StreamRef{StreamID: id.String(), Version: 6, LastPosition: 60, LastHash: "h6", Withheld: true}, v.ref)
	assert.Equal(t, "h6", shown.LastHash)
	require.NotNil(t, v.left)
	assert.Equal(t, t0.Add(7*time.Hour), *v.left, "the child last left with entry 7")
	for hour, inside := range map[int]bool{0: false, 1: true, 2: true, 3: false, 4: false, 5: true, 6: true, 7: false, 9: false} {
		assert.Equal(t, inside, v.sawAt(t0.Add(time.Duration(hour)*time.Hour+time.Minute)), "at hour %d", hour)
	}

	_, never := viewChild(id, record.Stream{Events: s.Events[:1], Hashes: s.Hashes[:1]}, place("370911"))
	assert.Nil(t, never.left, "a child that never lay within the scope never left it")
	assert.Equal(t, StreamRef{StreamID: id.String(), Withheld: true}, never.ref, "and none of its entries is shown")
}
