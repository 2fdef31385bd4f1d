package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	inquiryNow       = time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaStandardTime)
	inquiryInspector = acting(RoleInspector, "inspector-1", "3709")
)

func anInquiry() InquiryOpened {
	return InquiryOpened{
		InquiryID:  "inquiry-1",
		CaseID:     "case-1",
		IncidentAt: inquiryNow.Add(-48 * time.Hour),
		Reason:     "child found living alone after a missed visit",
	}
}

func TestOpenInquiry(t *testing.T) {
	t.Parallel()

	t.Run("an inspector opens an inquiry into a case", func(t *testing.T) {
		t.Parallel()
		q, err := OpenInquiry(inquiryInspector, inquiryNow, anInquiry())
		require.NoError(t, err)
		assert.Equal(t, []Change{{Event: anInquiry(), Actor: inquiryInspector.Actor, OccurredAt: inquiryNow}}, q.Changes())
		assert.Equal(t, "inquiry-1", q.ID())
		assert.Zero(t, q.Version())
		assert.Equal(t, "case-1", q.CaseID())
		assert.Empty(t, q.ChildID())
		assert.Equal(t, anInquiry().IncidentAt, q.IncidentAt())
		assert.Equal(t, anInquiry().Reason, q.Reason())
		assert.Equal(t, inquiryInspector.Actor, q.OpenedBy())
		assert.Equal(t, inquiryNow, q.OpenedAt())
	})

	t.Run("or into a child", func(t *testing.T) {
		t.Parallel()
		in := anInquiry()
		in.CaseID, in.ChildID = "", "child-1"
		q, err := OpenInquiry(inquiryInspector, inquiryNow, in)
		require.NoError(t, err)
		assert.Empty(t, q.CaseID())
		assert.Equal(t, "child-1", q.ChildID())
	})

	t.Run("an incident within the clock skew of now", func(t *testing.T) {
		t.Parallel()
		in := anInquiry()
		in.IncidentAt = inquiryNow.Add(ClockSkew)
		_, err := OpenInquiry(inquiryInspector, inquiryNow, in)
		assert.NoError(t, err)
	})

	for _, role := range everyRole {
		if role == RoleInspector {
			continue
		}
		t.Run("a "+role.String()+" may not", func(t *testing.T) {
			t.Parallel()
			q, err := OpenInquiry(acting(role, "someone", "all"), inquiryNow, anInquiry())
			assert.Nil(t, q)
			thenForbidden(t, err)
		})
	}

	for _, tc := range []struct {
		name       string
		mutate     func(*InquiryOpened)
		field      string
		impossible bool
	}{
		{name: "no inquiry_id", mutate: func(q *InquiryOpened) { q.InquiryID = "" }, field: "inquiry_id"},
		{name: "both a case and a child", mutate: func(q *InquiryOpened) { q.ChildID = "child-1" }, field: "case_id"},
		{name: "neither a case nor a child", mutate: func(q *InquiryOpened) { q.CaseID = "" }, field: "case_id"},
		{name: "an overlong case_id", mutate: func(q *InquiryOpened) { q.CaseID = strings.Repeat("c", MaxIDRunes+1) }, field: "case_id"},
		{name: "an overlong child_id", mutate: func(q *InquiryOpened) {
			q.CaseID, q.ChildID = "", strings.Repeat("c", MaxIDRunes+1)
		}, field: "child_id"},
		{name: "no incident_at", mutate: func(q *InquiryOpened) { q.IncidentAt = time.Time{} }, field: "incident_at"},
		{name: "an incident in the future", mutate: func(q *InquiryOpened) {
			q.IncidentAt = inquiryNow.Add(ClockSkew + time.Second)
		}, field: "incident_at", impossible: true},
		{name: "no reason", mutate: func(q *InquiryOpened) { q.Reason = "\t" }, field: "reason"},
		{name: "too long a reason", mutate: func(q *InquiryOpened) { q.Reason = strings.Repeat("查", MaxTextRunes+1) }, field: "reason"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			t.Parallel()
			in := anInquiry()
			tc.mutate(&in)
			q, err := OpenInquiry(inquiryInspector, inquiryNow, in)
			assert.Nil(t, q)
			if tc.impossible {
				thenImpossible(t, err, tc.field)
			} else {
				thenInvalid(t, err, tc.field)
			}
		})
	}
}

func TestInquiryReplay(t *testing.T) {
	t.Parallel()
	q, err := OpenInquiry(inquiryInspector, inquiryNow, anInquiry())
	require.NoError(t, err)
	history := storedAs(InquiryStream("inquiry-1"), q.Changes()...)
	for name, h := range map[string][]Recorded{"as decided": history, "through JSON": throughJSON(t, history)} {
		loaded := LoadInquiry(h)
		assert.Equal(t, int64(1), loaded.Version(), name)
		assert.Empty(t, loaded.Changes(), name)
		assert.Equal(t, q.ID(), loaded.ID(), name)
		assert.Equal(t, q.CaseID(), loaded.CaseID(), name)
		assert.Equal(t, q.ChildID(), loaded.ChildID(), name)
		assert.True(t, q.IncidentAt().Equal(loaded.IncidentAt()), name)
		assert.Equal(t, q.Reason(), loaded.Reason(), name)
		assert.Equal(t, q.OpenedBy(), loaded.OpenedBy(), name)
		assert.Equal(t, q.OpenedAt(), loaded.OpenedAt(), name)
	}
}
