package domain

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iqHistory is an inquiry into case c1 opened, found, one item completed
// and closed.
func iqHistory() []Recorded {
	inspector := Actor{Subject: "insp-1", Role: RoleInspector, Jurisdiction: mustPlace("370902")}
	s := dlNew(InquiryStream("q1")).by(inspector, dlT0, dlT0, InquiryOpened{InquiryID: "q1", CaseID: "c1", IncidentAt: dlAt(-dlDay), Reason: "重大事件"}).
		at(dlAt(2*dlDay), InquiryFindingsRecorded{Jurisdiction: mustPlace("370902101201"), Findings: "未按时走访",
			Responsibilities: []Responsibility{{WorkerID: "w-1", Finding: "未走访"}},
			Rectifications: []Rectification{{ID: "r1", Description: "补走访", Owner: "w-1", DueOn: NewDate(2024, time.May, 1)},
				{ID: "r2", Description: "培训", Owner: "w-2", DueOn: NewDate(2024, time.June, 1)}}}).
		at(dlAt(3*dlDay), RectificationCompleted{RectificationID: "r1", Note: "已走访"}).
		at(dlAt(3*dlDay), RectificationCompleted{RectificationID: "r9", Note: "unknown item"}).
		at(dlAt(4*dlDay), RectificationCompleted{RectificationID: "r2", Note: "已培训"}).
		at(dlAt(5*dlDay), InquiryClosed{Conclusion: "结论"})
	return s.all()
}

func TestInquiryFactsFold(t *testing.T) {
	t.Parallel()
	f := FoldInquiry(iqHistory())
	cfRequireFilled(t, f)
	assert.Equal(t, "q1", f.ID)
	assert.Equal(t, "c1", f.CaseID)
	assert.Equal(t, dlPtr(dlAt(2*dlDay)), f.FindingsAt)
	assert.Equal(t, "370902101201", f.Jurisdiction.String())
	assert.Equal(t, []string{"w-1"}, f.Responsible)
	require.Len(t, f.Rectifications, 2)
	assert.Equal(t, dlPtr(dlAt(3*dlDay)), f.Rectifications[0].CompletedAt)
	assert.Equal(t, dlPtr(dlAt(4*dlDay)), f.Rectifications[1].CompletedAt)
	assert.Equal(t, dlPtr(dlAt(5*dlDay)), f.ClosedAt)
	assert.Equal(t, int64(6), f.Version)

	t.Run("a second findings record changes nothing", func(t *testing.T) {
		t.Parallel()
		h := iqHistory()
		second := h[1]
		second.Version, second.OccurredAt = 7, dlAt(6*dlDay)
		second.Event = InquiryFindingsRecorded{Findings: "again", Rectifications: []Rectification{{ID: "r3", Owner: "w-3"}}}
		g := FoldInquiry(append(h, second))
		assert.Len(t, g.Rectifications, 2)
		assert.Equal(t, dlPtr(dlAt(2*dlDay)), g.FindingsAt)
	})

	t.Run("clone shares nothing", func(t *testing.T) {
		t.Parallel()
		orig, want := FoldInquiry(iqHistory()), FoldInquiry(iqHistory())
		c := orig.Clone()
		require.Equal(t, want, c)
		cfScribble(reflect.ValueOf(&c).Elem())
		assert.NotEqual(t, want, c)
		assert.Equal(t, want, orig)
	})
}

func TestInquiryFactsSnapshotRoundTrips(t *testing.T) {
	t.Parallel()
	h := iqHistory()
	for i := range len(h) + 1 {
		f := FoldInquiry(h[:i])
		raw, err := f.MarshalBinary()
		require.NoError(t, err)
		var back InquiryFacts
		require.NoError(t, back.UnmarshalBinary(raw))
		assert.Equal(t, inUTC(t, f), inUTC(t, back), "history of %d", i)
		for cut := 0; cut < len(raw); cut++ {
			assert.Error(t, back.UnmarshalBinary(raw[:cut]), "cut at %d", cut)
		}
	}
	var c CaseFacts
	raw, _ := FoldInquiry(h).MarshalBinary()
	assert.Error(t, c.UnmarshalBinary(raw), "an inquiry's snapshot is not a case's")
}
