package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var policyAdmin = acting(RoleAdmin, "admin-1", "all")

func policyWith(retraining int) DeadlinePolicy {
	p := DefaultPolicy()
	p.RetrainingMonths = retraining
	return p
}

func TestChangePolicy(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, ChinaStandardTime)

	t.Run("an admin changes the policy from now", func(t *testing.T) {
		t.Parallel()
		p := policyWith(6)
		change, err := ChangePolicy(policyAdmin, now, p)
		require.NoError(t, err)
		assert.Equal(t, Change{Event: DeadlinePolicyChanged{Policy: p}, Actor: policyAdmin.Actor, OccurredAt: now}, change)
	})

	for _, role := range everyRole {
		if role == RoleAdmin {
			continue
		}
		t.Run("a "+role.String()+" may not", func(t *testing.T) {
			t.Parallel()
			_, err := ChangePolicy(acting(role, "someone", "all"), now, DefaultPolicy())
			thenForbidden(t, err)
		})
	}

	t.Run("an admin of one county may not: the policy holds everywhere", func(t *testing.T) {
		t.Parallel()
		_, err := ChangePolicy(acting(RoleAdmin, "admin-2", "370902"), now, DefaultPolicy())
		thenForbidden(t, err)
	})

	t.Run("an invalid policy is refused", func(t *testing.T) {
		t.Parallel()
		p := DefaultPolicy()
		p.RetrainingMonths = 0
		_, err := ChangePolicy(policyAdmin, now, p)
		thenInvalid(t, err, "policy.retraining_months")

		p = DefaultPolicy()
		p.Assessment = Duration{}
		_, err = ChangePolicy(policyAdmin, now, p)
		thenInvalid(t, err, "policy.assessment")
	})
}

func TestPolicyHistoryInForce(t *testing.T) {
	t.Parallel()
	t1 := time.Date(2025, 1, 1, 0, 0, 0, 0, ChinaStandardTime)
	t2 := time.Date(2025, 7, 1, 0, 0, 0, 0, ChinaStandardTime)
	decide := func(at time.Time, p DeadlinePolicy) Change {
		c, err := ChangePolicy(policyAdmin, at, p)
		require.NoError(t, err)
		return c
	}

	t.Run("with no change the default is in force, version 0", func(t *testing.T) {
		t.Parallel()
		for _, h := range []PolicyHistory{{}, LoadPolicyHistory(nil)} {
			p, v := h.InForce(t1)
			assert.Equal(t, DefaultPolicy(), p)
			assert.Zero(t, v)
			assert.Empty(t, h.Versions())
		}
	})

	t.Run("each change is in force from its occurred_at", func(t *testing.T) {
		t.Parallel()
		h := LoadPolicyHistory(storedAs(PolicyStream, decide(t1, policyWith(6)), decide(t2, policyWith(24))))
		for _, tc := range []struct {
			name      string
			at        time.Time
			months    int
			version   int64
			isDefault bool
		}{
			{name: "before the first", at: t1.Add(-time.Nanosecond), isDefault: true},
			{name: "exactly at the first", at: t1, months: 6, version: 1},
			{name: "between", at: t2.Add(-time.Nanosecond), months: 6, version: 1},
			{name: "exactly at the second", at: t2, months: 24, version: 2},
			{name: "long after", at: t2.AddDate(5, 0, 0), months: 24, version: 2},
		} {
			p, v := h.InForce(tc.at)
			if tc.isDefault {
				assert.Equal(t, DefaultPolicy(), p, tc.name)
				assert.Zero(t, v, tc.name)
				continue
			}
			assert.Equal(t, tc.months, p.RetrainingMonths, tc.name)
			assert.Equal(t, tc.version, v, tc.name)
		}
	})

	t.Run("the latest by occurred_at wins, not the latest recorded", func(t *testing.T) {
		t.Parallel()
		// The third change was recorded last but occurred between the others.
		mid := t1.AddDate(0, 3, 0)
		h := LoadPolicyHistory(storedAs(PolicyStream,
			decide(t1, policyWith(6)), decide(t2, policyWith(24)), decide(mid, policyWith(18))))
		p, v := h.InForce(mid)
		assert.Equal(t, 18, p.RetrainingMonths)
		assert.Equal(t, int64(3), v)
		p, v = h.InForce(t2)
		assert.Equal(t, 24, p.RetrainingMonths)
		assert.Equal(t, int64(2), v)
		p, v = h.InForce(mid.Add(-time.Second))
		assert.Equal(t, 6, p.RetrainingMonths)
		assert.Equal(t, int64(1), v)
	})

	t.Run("on a tie of occurred_at the later stream version wins", func(t *testing.T) {
		t.Parallel()
		h := LoadPolicyHistory(storedAs(PolicyStream, decide(t1, policyWith(6)), decide(t1, policyWith(9))))
		p, v := h.InForce(t1)
		assert.Equal(t, 9, p.RetrainingMonths)
		assert.Equal(t, int64(2), v)
	})

	t.Run("versions are listed in stream order; other events are ignored", func(t *testing.T) {
		t.Parallel()
		history := storedAs(PolicyStream, decide(t1, policyWith(6)), decide(t2, policyWith(24)))
		history = append(history, Recorded{Version: 3, Event: ChildDataErased{Reason: "stray"}, OccurredAt: t2})
		h := LoadPolicyHistory(history)
		versions := h.Versions()
		require.Len(t, versions, 2)
		assert.Equal(t, PolicyVersion{Version: 1, From: t1, RecordedAt: t1.Add(time.Second), Policy: policyWith(6)}, versions[0])
		assert.Equal(t, PolicyVersion{Version: 2, From: t2, RecordedAt: t2.Add(time.Second), Policy: policyWith(24)}, versions[1])

		versions[0].Version = 99
		assert.Equal(t, int64(1), h.Versions()[0].Version, "Versions hands out a copy")
	})
}

// TestPolicyChangeV1Upcast: a change recorded before the report_after_visit,
// police_acknowledgment and inquiry clocks existed put them in force at
// their defaults; a current one keeps its own.
func TestPolicyChangeV1Upcast(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	v1 := `{"policy":{"police_report":"2h","first_response":{"high":"24h","medium":"72h","low":"7d"},
		"assignment":{"high":"1h","medium":"24h","low":"24h"},"assessment":"7d","guardianship_assessment":"30d",
		"referral_answer":"5d","key_child_visit":"30d","left_behind_visit":"90d","info_verification":{"month":9,"day":1},
		"retraining_months":12,"post_closure_follow_up":"30d","late_entry":"72h"}}`
	e, err := r.Decode("policy.deadline_policy_changed", 1, []byte(v1))
	require.NoError(t, err)
	p := e.(DeadlinePolicyChanged).Policy
	require.NoError(t, p.Validate())
	assert.Equal(t, Hours(2), p.PoliceReport)
	assert.Equal(t, Hours(1), p.ReportAfterVisit)
	assert.Equal(t, Hours(1), p.PoliceAcknowledgment)
	assert.Equal(t, Days(7), p.Inquiry)
	assert.Equal(t, Hours(24), p.DueSoon)
	assert.Equal(t, Hours(24), p.EscalateAfter)
	assert.Equal(t, 5, p.MinCell)

	cur := DefaultPolicy()
	cur.Inquiry = Days(3)
	name, version, data, err := r.Encode(DeadlinePolicyChanged{Policy: cur})
	require.NoError(t, err)
	assert.Equal(t, 2, version)
	back, err := r.Decode(name, version, data)
	require.NoError(t, err)
	assert.Equal(t, Days(3), back.(DeadlinePolicyChanged).Policy.Inquiry)

	_, err = r.Decode("policy.deadline_policy_changed", 1, []byte(`{"policy":"x"}`))
	assert.Error(t, err)
}
