package domain

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The facts are what read models keep as JSON snapshots: they must come
// back whole, keep their (short, stored) names, and hold no personal data.

// fjInUTC is a copy of v (a value, not a pointer) with every time it holds
// in UTC, so that values that went through JSON compare equal to their
// originals when nothing but the time zone's name was lost.
func fjInUTC[T any](v T) T {
	rv := reflect.New(reflect.TypeOf(v)).Elem()
	rv.Set(reflect.ValueOf(v))
	fjToUTC(rv)
	return rv.Interface().(T)
}

func fjToUTC(v reflect.Value) {
	switch {
	case v.Type() == cfTimeType:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			fresh := reflect.New(v.Type().Elem())
			fresh.Elem().Set(v.Elem())
			fjToUTC(fresh.Elem())
			v.Set(fresh)
		}
	case v.Kind() == reflect.Slice:
		if !v.IsNil() {
			fresh := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(fresh, v)
			for i := range fresh.Len() {
				fjToUTC(fresh.Index(i))
			}
			v.Set(fresh)
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fjToUTC(v.Field(i))
			}
		}
	}
}

// fjKeys are the JSON object keys of v at the top level.
func fjKeys(t *testing.T, v any) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(cfJSON(t, v)), &m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestCaseFactsJSON(t *testing.T) {
	t.Parallel()
	f := FoldCase(cfRichHistory().all())
	cfRequireFilled(t, f)

	t.Run("round trip", func(t *testing.T) {
		t.Parallel()
		back := cfSnapshot(t, f)
		assert.Equal(t, fjInUTC(f), fjInUTC(back))
		assert.JSONEq(t, cfJSON(t, f), cfJSON(t, back))
		assert.Equal(t, fjInUTC(CaseDeadlines(f, nil, PolicyHistory{}, dlAt(40*dlDay))), fjInUTC(CaseDeadlines(back, nil, PolicyHistory{}, dlAt(40*dlDay))))
	})

	t.Run("an open case without optional facts", func(t *testing.T) {
		t.Parallel()
		open := FoldCase(dlCase(RiskLow, "dropout").all())
		back := cfSnapshot(t, open)
		assert.Equal(t, fjInUTC(open), fjInUTC(back))
		assert.True(t, back.Opened())
		assert.True(t, back.ClosureReason.IsZero())
		assert.NotContains(t, cfJSON(t, open), `"reason"`, "no closure reason while open")
	})

	t.Run("the zero facts", func(t *testing.T) {
		t.Parallel()
		back := cfSnapshot(t, CaseFacts{})
		assert.Equal(t, CaseFacts{}, fjInUTC(back))
		assert.False(t, back.Opened())
	})

	// Read models keep these names: renaming one breaks every stored
	// snapshot.
	t.Run("the stored names", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, []string{"assessed", "assigned", "assignee", "child", "closed", "closures", "concerns", "followups",
			"gassessed", "guardianships", "horizon", "id", "incidents", "j", "police", "police_ack", "pos", "reason", "received", "receiver",
			"referrals", "reopened", "response", "risk", "rrisk", "source", "status", "v"}, fjKeys(t, f))
	})

	t.Run("a snapshot with a word of no vocabulary is refused", func(t *testing.T) {
		t.Parallel()
		var back CaseFacts
		for _, bad := range []string{`{"status":"pending"}`, `{"risk":"urgent"}`, `{"concerns":["sad"]}`, `{"j":"37x"}`,
			`{"referrals":[{"id":"r1","status":"open"}]}`} {
			assert.Error(t, json.Unmarshal([]byte(bad), &back), bad)
		}
	})
}

func TestCaseFactsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	s := dlNew(CaseStream("c1")).by(dlReceiver, dlT0, dlT0, ReportReceived{CaseID: "c1", ChildID: "k1", Jurisdiction: dlVillage,
		Source: term[sourceWords]("hotline_12355"), Reporter: Reporter{Type: term[reporterWords]("neighbour"), Name: "王大姐", Phone: "13912345678"},
		Concerns: []Concern{term[concernWords]("neglect")}, Risk: RiskHigh, Summary: "孩子独自在家三天"}).
		at(dlAt(time.Hour), EmergencyResponseRecorded{Action: "送往外婆家", Note: "外婆电话 13700001111"}).
		at(dlAt(2*time.Hour), FollowUpRecorded{Note: "孩子状态良好", Method: "家访"}).
		at(dlAt(3*time.Hour), cfMade("r1", cfEducation, cfSchool)).
		at(dlAt(3*time.Hour), ReferralMade{ReferralID: "r2", Agency: cfJustice, Service: cfLegalAid, Note: "父亲酗酒"}).
		at(dlAt(4*time.Hour), ReferralDeclined{ReferralID: "r1", Reason: "学位已满"}).
		at(dlAt(5*time.Hour), AssessmentCompleted{Risk: RiskLow, Needs: []string{"心理辅导"}, GuardianshipAssessment: "外婆年迈"}).
		at(dlAt(6*time.Hour), CaseConferenceHeld{Agencies: []Agency{cfPolice}, Decisions: "联系父母回乡"}).
		at(dlAt(7*time.Hour), GuardianshipInterventionRecorded{Measure: "训诫父亲", Note: "父亲承诺"}).
		at(dlAt(8*time.Hour), MajorIncidentDeclared{Description: "孩子受伤"})
	f := FoldCase(s.all())
	require.Len(t, f.Referrals, 2)
	text := cfJSON(t, f)
	for _, personal := range []string{"王大姐", "13912345678", "孩子独自在家三天", "送往外婆家", "13700001111", "孩子状态良好",
		"家访", "父亲酗酒", "学位已满", "心理辅导", "外婆年迈", "联系父母回乡", "训诫父亲", "父亲承诺", "孩子受伤"} {
		assert.NotContains(t, text, personal)
	}
}

func TestChildFactsJSON(t *testing.T) {
	t.Parallel()
	place2, flags := chfVillage2, []KeyChildFlag{chfDropout}
	reg := chfRegistration()
	reg.DifficultyReasons = []DifficultyReason{chfPoverty}
	f := FoldChild(dlNew(ChildStream("k1")).by(dlReceiver, dlT0, dlT0, reg).
		at(dlAt(dlDay), ChildProfileUpdated{Jurisdiction: &place2, KeyChildFlags: &flags}).
		at(dlAt(2*dlDay), dlVisit()).
		at(dlAt(2*dlDay+time.Hour), dlConcernVisit()).
		at(dlAt(3*dlDay), ChildDataErased{Reason: "r"}).all())
	cfRequireFilled(t, f)

	t.Run("round trip", func(t *testing.T) {
		t.Parallel()
		var back ChildFacts
		require.NoError(t, json.Unmarshal([]byte(cfJSON(t, f)), &back))
		assert.Equal(t, fjInUTC(f), fjInUTC(back))
		assert.JSONEq(t, cfJSON(t, f), cfJSON(t, back))
	})

	t.Run("a file without flags keeps an empty list", func(t *testing.T) {
		t.Parallel()
		plain := FoldChild(chfRegistered().all())
		var back ChildFacts
		require.NoError(t, json.Unmarshal([]byte(cfJSON(t, plain)), &back))
		assert.Equal(t, fjInUTC(plain), fjInUTC(back))
		assert.Equal(t, []KeyChildFlag{}, back.KeyChildFlags)
	})

	t.Run("the stored names", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, []string{"at_reg", "born", "cat", "changes", "concern_visits", "dr", "erased", "horizon", "hukou", "id", "j", "kf", "pos",
			"registered", "sex", "v", "verified", "visits"}, fjKeys(t, f))
	})
}

// TestChildFactsHoldNoPersonalData folds a file registered, updated and
// confirmed with personal values and finds none of them in its JSON.
func TestChildFactsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	name, idNumber, living, school := "王晓梅", "110105201503150000", "随外婆生活", "镇中心小学五年级"
	born := NewDate(2015, time.March, 15)
	guardian := Guardian{Name: "王爷爷", Relation: "grandfather", Phone: "13511112222"}
	f := FoldChild(chfRegistered().
		at(dlAt(dlDay), ChildProfileUpdated{Name: &name, IDNumber: &idNumber, BirthDate: &born, Guardian: &guardian,
			EntrustedGuardian: &Guardian{Name: "赵阿姨", Relation: "aunt", Phone: "13933334444"}, LivingSituation: &living, Schooling: &school}).
		at(dlAt(2*dlDay), VisitRecorded{Findings: "孩子独自在家", Concerns: []Concern{term[concernWords]("living_alone")}}).
		at(dlAt(3*dlDay), GuardianshipEntrustmentConfirmed{EntrustedGuardian: Guardian{Name: "钱伯伯", Relation: "uncle", Phone: "13855556666"}}).
		at(dlAt(4*dlDay), ChildDataErased{Reason: "法院裁定"}).all())
	text := cfJSON(t, f)

	reg := chfRegistration()
	for _, personal := range []string{
		reg.Name, reg.IDNumber, reg.Guardian.Name, reg.Guardian.Phone, reg.EntrustedGuardian.Name, reg.EntrustedGuardian.Phone,
		reg.LivingSituation, reg.Schooling, reg.BirthDate.String(), "20150314",
		name, idNumber, living, school, born.String(), "王爷爷", "13511112222", "赵阿姨", "13933334444",
		"孩子独自在家", "钱伯伯", "13855556666", "法院裁定",
	} {
		assert.NotContains(t, text, personal)
	}
	assert.Contains(t, text, `"born":2015`, "the birth year alone is kept")
}

func TestWorkerFactsJSON(t *testing.T) {
	t.Parallel()
	on := NewDate(2025, time.March, 10)
	f := foldWorker(dlRegister(RoleChildDirector, "370902101201").
		late(on.Start(), on.Start().Add(dlDay), WorkerTrainingRecorded{Passed: true, CompletedOn: on}).all())
	partner := foldWorker(dlNew(WorkerStream("w2")).at(dlWorkerReg, WorkerRegistered{WorkerID: "w2", Name: "张伟", Role: RolePartner,
		Jurisdiction: mustPlace("370902"), Agency: cfPolice}).all())
	for name, w := range map[string]WorkerFacts{"a director with a training": f, "a partner with an agency": partner} {
		var back WorkerFacts
		require.NoError(t, json.Unmarshal([]byte(cfJSON(t, w)), &back), name)
		assert.Equal(t, fjInUTC(w), fjInUTC(back), name)
		assert.Equal(t, fjInUTC(WorkerDeadlines(w, PolicyHistory{}, dlWorkerReg.AddDate(2, 0, 0))),
			fjInUTC(WorkerDeadlines(back, PolicyHistory{}, dlWorkerReg.AddDate(2, 0, 0))), name)
	}
	assert.NotContains(t, cfJSON(t, f), `"agency"`, "no agency but a partner's")
}

// fjPolicyHistory is a history of four changes recorded in stream order,
// the third occurring before the second.
func fjPolicyHistory(t *testing.T) []Recorded {
	t.Helper()
	at := func(m time.Month) time.Time { return time.Date(2025, m, 1, 0, 0, 0, 0, ChinaStandardTime) }
	p1, p2, p3, p4 := DefaultPolicy(), DefaultPolicy(), DefaultPolicy(), DefaultPolicy()
	p1.Assessment = Days(3)
	p2.LateEntry = Hours(24)
	p3.RetrainingMonths = 6
	p4.FirstResponse.High = Hours(12)
	var changes []Change
	for _, c := range []struct {
		at time.Time
		p  DeadlinePolicy
	}{{at(time.January), p1}, {at(time.July), p2}, {at(time.April), p3}, {at(time.October), p4}} {
		change, err := ChangePolicy(policyAdmin, c.at, c.p)
		require.NoError(t, err)
		changes = append(changes, change)
	}
	return storedAs(PolicyStream, changes...)
}

// fjSameInForce compares two histories at many moments.
func fjSameInForce(t *testing.T, want, got PolicyHistory, what string) {
	t.Helper()
	for m := range 14 {
		at := time.Date(2024, time.December, 1, 0, 0, 0, 0, ChinaStandardTime).AddDate(0, m, 0)
		for _, tt := range []time.Time{at.Add(-time.Nanosecond), at} {
			wp, wv := want.InForce(tt)
			gp, gv := got.InForce(tt)
			assert.Equal(t, wp, gp, "%s: policy at %s", what, tt)
			assert.Equal(t, wv, gv, "%s: version at %s", what, tt)
		}
	}
}

func TestPolicyHistoryApply(t *testing.T) {
	t.Parallel()
	history := fjPolicyHistory(t)
	loaded := LoadPolicyHistory(history)
	require.Len(t, loaded.Versions(), 4)

	t.Run("applied out of version order, the history is the loaded one", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(4, 2025))
		for range 24 {
			var h PolicyHistory
			order := rng.Perm(len(history))
			for _, i := range order {
				h.Apply(history[i])
			}
			assert.Equal(t, loaded.Versions(), h.Versions(), "order %v", order)
			fjSameInForce(t, loaded, h, "applied out of order")
		}
	})

	t.Run("other events are ignored", func(t *testing.T) {
		t.Parallel()
		h := LoadPolicyHistory(history)
		h.Apply(Recorded{Version: 9, Event: CaseClosed{Reason: cfResolved}, OccurredAt: dlT0})
		assert.Equal(t, loaded.Versions(), h.Versions())
	})

	t.Run("the versions make the same history", func(t *testing.T) {
		t.Parallel()
		again := NewPolicyHistory(loaded.Versions())
		assert.Equal(t, loaded.Versions(), again.Versions())
		fjSameInForce(t, loaded, again, "from its versions")

		shuffled := loaded.Versions()
		slices.Reverse(shuffled)
		fromShuffled := NewPolicyHistory(shuffled)
		assert.Equal(t, loaded.Versions(), fromShuffled.Versions(), "listed by stream version whatever the order given")

		shuffled[0].Policy.RetrainingMonths = 99
		assert.Equal(t, loaded.Versions(), fromShuffled.Versions(), "the history keeps its own copy")
	})

	t.Run("through JSON, the versions make the same history", func(t *testing.T) {
		t.Parallel()
		b, err := json.Marshal(loaded.Versions())
		require.NoError(t, err)
		var versions []PolicyVersion
		require.NoError(t, json.Unmarshal(b, &versions))
		back := NewPolicyHistory(versions)
		fjSameInForce(t, loaded, back, "through JSON")
		assert.Equal(t, fjInUTC(loaded.Versions()), fjInUTC(back.Versions()))
	})

	t.Run("no versions: the default policy throughout", func(t *testing.T) {
		t.Parallel()
		fjSameInForce(t, PolicyHistory{}, NewPolicyHistory(nil), "empty")
	})
}

func TestPolicyVersionJSON(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.Assessment, p.LateEntry, p.FirstResponse.High = Days(3), Hours(24), Duration{D: 90 * time.Minute}
	v := PolicyVersion{Version: 3, From: time.Date(2025, 4, 1, 0, 0, 0, 0, ChinaStandardTime),
		RecordedAt: time.Date(2025, 4, 1, 0, 0, 1, 500, ChinaStandardTime), Policy: p}

	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, []string{"from", "policy", "recorded_at", "version"}, fjKeys(t, v))
	text := string(b)
	for _, part := range []string{`"version":3`, `"from":"2025-04-01T00:00:00+08:00"`, `"recorded_at":"2025-04-01T00:00:01.0000005+08:00"`,
		`"assessment":"3d"`, `"late_entry":"1d"`, `"high":"1h30m0s"`} {
		assert.True(t, strings.Contains(text, part), "%s in %s", part, text)
	}

	var back PolicyVersion
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, v.Version, back.Version)
	assert.True(t, v.From.Equal(back.From))
	assert.True(t, v.RecordedAt.Equal(back.RecordedAt))
	assert.Equal(t, v.Policy, back.Policy)
	assert.Equal(t, fjInUTC(v), fjInUTC(back))

	var bad PolicyVersion
	assert.Error(t, json.Unmarshal([]byte(`{"version":1,"policy":{"assessment":"a week"}}`), &bad))
}
