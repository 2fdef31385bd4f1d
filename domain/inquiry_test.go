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
		// The case's child: its texts are that child's data.
		DataSubjectID: "child-1",
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
		in.CaseID, in.ChildID, in.DataSubjectID = "", "child-1", ""
		q, err := OpenInquiry(inquiryInspector, inquiryNow, in)
		require.NoError(t, err)
		assert.Empty(t, q.CaseID())
		assert.Equal(t, "child-1", q.ChildID())
		assert.Equal(t, "child-1", q.Changes()[0].Event.(InquiryOpened).DataSubjectID, "its texts are the child's data")
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
		{name: "a case without its child", mutate: func(q *InquiryOpened) { q.DataSubjectID = "" }, field: "data_subject_id"},
		{name: "a child's texts as another's", mutate: func(q *InquiryOpened) {
			q.CaseID, q.ChildID = "", "child-2"
		}, field: "data_subject_id"},
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

// The inquiry's given/when/then: opened a day before inquiryNow by
// inquiryInspector, each given event a minute after the one before; the
// acts happen at inquiryAt.
var (
	inquiryOpenedAt = inquiryNow.Add(-24 * time.Hour)
	inquiryAt       = inquiryNow.Add(-time.Hour)
	inquiryPlace    = mustPlace("370902101201")
	inquiryOwner    = acting(RoleChildDirector, "dir-1", "370902101201")
	// inquiryFound are findings with two items, r1 owned by dir-1 and r2 by
	// sup-1, recorded a minute after the opening.
	inquiryFound = InquiryFindingsRecorded{Jurisdiction: inquiryPlace, Findings: "走访记录缺失",
		Responsibilities: []Responsibility{{WorkerID: "dir-1", Finding: "未按期走访"}},
		Rectifications: []Rectification{
			{ID: "r1", Description: "补齐走访记录", Owner: "dir-1", DueOn: NewDate(2025, time.June, 30)},
			{ID: "r2", Description: "开展培训", Owner: "sup-1", DueOn: NewDate(2025, time.July, 15)},
		}}
	inquiryDone1 = RectificationCompleted{RectificationID: "r1", Note: "已补齐"}
	inquiryDone2 = RectificationCompleted{RectificationID: "r2", Note: "已培训"}
)

// inRegister is the register the inquiry tests know: dir-1, sup-1, cw-1.
func inRegister(id string) bool { return id == "dir-1" || id == "sup-1" || id == "cw-1" }

func inquiryGiven(events ...Event) []Recorded {
	changes := []Change{{Event: anInquiry(), Actor: inquiryInspector.Actor, OccurredAt: inquiryOpenedAt}}
	for i, e := range events {
		changes = append(changes, Change{Event: e, Actor: inquiryInspector.Actor, OccurredAt: inquiryOpenedAt.Add(time.Duration(i+1) * time.Minute)})
	}
	return storedAs(InquiryStream("inquiry-1"), changes...)
}

type inquirySpec struct {
	name  string
	given []Event
	when  func(q *Inquiry) error
	then  []Event
	fail  func(t *testing.T, err error)
}

func inquiryFailsRule(rule string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); thenRule(t, err, rule) }
}

func inquiryFailsInvalid(field string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); thenInvalid(t, err, field) }
}

func inquiryFailsImpossible(field string) func(*testing.T, error) {
	return func(t *testing.T, err error) { t.Helper(); thenImpossible(t, err, field) }
}

func inquiryFailsForbidden(t *testing.T, err error) { t.Helper(); thenForbidden(t, err) }

func inquiryFailsNotFound(t *testing.T, err error) { t.Helper(); assert.ErrorIs(t, err, ErrNotFound) }

func runInquirySpecs(t *testing.T, specs []inquirySpec) {
	t.Helper()
	for _, s := range specs {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			history := inquiryGiven(s.given...)
			q := LoadInquiry(history)
			err := s.when(q)
			if s.fail != nil {
				require.Error(t, err)
				s.fail(t, err)
				assert.Empty(t, q.Changes(), "a refused command records nothing")
				assert.Equal(t, LoadInquiry(history), q, "a refused command changes nothing")
				return
			}
			require.NoError(t, err)
			events := make([]Event, len(q.Changes()))
			for i, c := range q.Changes() {
				events[i] = c.Event
			}
			assert.Equal(t, s.then, events)
			assert.Equal(t, int64(len(history)), q.Version(), "changes not yet stored leave the version")
		})
	}
}

// findingsInput is what an inspector sends for inquiryFound, with the
// items' ids left to the numbering.
func findingsInput() FindingsInput {
	return FindingsInput{Findings: " 走访记录缺失 ",
		Responsibilities: []Responsibility{{WorkerID: "dir-1", Finding: "未按期走访"}},
		Rectifications: []Rectification{
			{Description: "补齐走访记录", Owner: "dir-1", DueOn: NewDate(2025, time.June, 30)},
			{Description: "开展培训", Owner: " sup-1 ", DueOn: NewDate(2025, time.July, 15)},
		}}
}

func TestRecordFindings(t *testing.T) {
	t.Parallel()
	find := func(by Principal, at time.Time, mutate func(*FindingsInput)) func(q *Inquiry) error {
		return func(q *Inquiry) error {
			in := findingsInput()
			if mutate != nil {
				mutate(&in)
			}
			return q.RecordFindings(by, inquiryNow, at, inquiryPlace, in, inRegister)
		}
	}
	item := func(i int, change func(*Rectification)) func(*FindingsInput) {
		return func(in *FindingsInput) { change(&in.Rectifications[i]) }
	}
	specs := []inquirySpec{
		{name: "findings with their items numbered r1, r2", when: find(inquiryInspector, inquiryAt, nil), then: []Event{inquiryFound}},
		{name: "an item's own id is kept, the others numbered by place", when: find(inquiryInspector, inquiryAt, item(0, func(r *Rectification) { r.ID = "整改-1" })),
			then: []Event{func() Event {
				e := inquiryFound
				e.Rectifications = []Rectification{inquiryFound.Rectifications[0], inquiryFound.Rectifications[1]}
				e.Rectifications[0].ID = "整改-1"
				return e
			}()}},
		{name: "no one responsible and nothing to rectify", when: find(inquiryInspector, inquiryAt, func(in *FindingsInput) {
			in.Responsibilities, in.Rectifications = nil, nil
		}), then: []Event{InquiryFindingsRecorded{Jurisdiction: inquiryPlace, Findings: "走访记录缺失", Responsibilities: []Responsibility{}, Rectifications: []Rectification{}}}},
		{name: "an item due on the findings' own day", when: find(inquiryInspector, inquiryAt, func(in *FindingsInput) {
			in.Rectifications = in.Rectifications[:1]
			in.Rectifications[0].DueOn = NewDate(2025, time.June, 1)
		}), then: []Event{func() Event {
			e := inquiryFound
			e.Rectifications = []Rectification{{ID: "r1", Description: "补齐走访记录", Owner: "dir-1", DueOn: NewDate(2025, time.June, 1)}}
			return e
		}()}},

		{name: "findings once only", given: []Event{inquiryFound}, when: find(inquiryInspector, inquiryAt, nil), fail: inquiryFailsRule(RuleFindingsRecorded)},
		{name: "a closed inquiry", given: []Event{inquiryFound, inquiryDone1, inquiryDone2, InquiryClosed{Conclusion: "结案"}},
			when: find(inquiryInspector, inquiryAt, nil), fail: inquiryFailsRule(RuleInquiryClosed)},
		{name: "no findings", when: find(inquiryInspector, inquiryAt, func(in *FindingsInput) { in.Findings = " " }), fail: inquiryFailsInvalid("findings")},
		{name: "no time", when: find(inquiryInspector, time.Time{}, nil), fail: inquiryFailsInvalid("occurred_at")},
		{name: "in the future", when: find(inquiryInspector, inquiryNow.Add(ClockSkew+time.Second), nil), fail: inquiryFailsImpossible("occurred_at")},
		{name: "before the inquiry was opened", when: find(inquiryInspector, inquiryOpenedAt.Add(-time.Second), nil), fail: inquiryFailsImpossible("occurred_at")},
		{name: "a responsible worker not in the register", when: find(inquiryInspector, inquiryAt, func(in *FindingsInput) {
			in.Responsibilities = append(in.Responsibilities, Responsibility{WorkerID: "stranger", Finding: "x"})
		}), fail: inquiryFailsInvalid("responsibilities[1].worker_id")},
		{name: "a responsibility without a finding", when: find(inquiryInspector, inquiryAt, func(in *FindingsInput) { in.Responsibilities[0].Finding = "" }),
			fail: inquiryFailsInvalid("responsibilities[0].finding")},
		{name: "an owner not in the register", when: find(inquiryInspector, inquiryAt, item(0, func(r *Rectification) { r.Owner = "stranger" })),
			fail: inquiryFailsInvalid("rectifications[0].owner")},
		{name: "an item without an owner", when: find(inquiryInspector, inquiryAt, item(1, func(r *Rectification) { r.Owner = "" })),
			fail: inquiryFailsInvalid("rectifications[1].owner")},
		{name: "an item without a description", when: find(inquiryInspector, inquiryAt, item(1, func(r *Rectification) { r.Description = "\t" })),
			fail: inquiryFailsInvalid("rectifications[1].description")},
		{name: "an id given twice", when: find(inquiryInspector, inquiryAt, func(in *FindingsInput) {
			in.Rectifications[0].ID, in.Rectifications[1].ID = "a", "a"
		}), fail: inquiryFailsInvalid("rectifications[1].id")},
		{name: "an id the numbering gives another item", when: find(inquiryInspector, inquiryAt, item(0, func(r *Rectification) { r.ID = "r2" })),
			fail: inquiryFailsInvalid("rectifications[1].id")},
		{name: "an overlong id", when: find(inquiryInspector, inquiryAt, item(0, func(r *Rectification) { r.ID = strings.Repeat("r", 65) })),
			fail: inquiryFailsInvalid("rectifications[0].id")},
		{name: "an item without a due date", when: find(inquiryInspector, inquiryAt, item(0, func(r *Rectification) { r.DueOn = Date{} })),
			fail: inquiryFailsInvalid("rectifications[0].due_on")},
		{name: "an item due before the findings", when: find(inquiryInspector, inquiryAt, item(1, func(r *Rectification) { r.DueOn = NewDate(2025, time.May, 31) })),
			fail: inquiryFailsImpossible("rectifications[1].due_on")},
		{name: "an item due more than five years ahead", when: find(inquiryInspector, inquiryAt, item(0, func(r *Rectification) { r.DueOn = NewDate(2031, time.January, 1) })),
			fail: inquiryFailsInvalid("rectifications[0].due_on")},
		{name: "too many items", when: find(inquiryInspector, inquiryAt, func(in *FindingsInput) {
			in.Rectifications = make([]Rectification, maxFindingItems+1)
		}), fail: inquiryFailsInvalid("rectifications")},
	}
	for _, role := range everyRole {
		if role != RoleInspector {
			specs = append(specs, inquirySpec{name: "not by a " + role.String(), when: find(acting(role, "dir-1", "all"), inquiryAt, nil), fail: inquiryFailsForbidden})
		}
	}
	runInquirySpecs(t, specs)

}

// TestInquiryActsNeedAnOpenedInquiry: on a stream that holds no inquiry,
// every act is refused as not found and records nothing.
func TestInquiryActsNeedAnOpenedInquiry(t *testing.T) {
	t.Parallel()
	for name, act := range map[string]func(q *Inquiry) error{
		"findings": func(q *Inquiry) error {
			return q.RecordFindings(inquiryInspector, inquiryNow, inquiryAt, inquiryPlace, findingsInput(), inRegister)
		},
		"completion": func(q *Inquiry) error {
			return q.CompleteRectification(inquiryInspector, inquiryNow, inquiryAt, "r1", "x")
		},
		"closure": func(q *Inquiry) error { return q.Close(inquiryInspector, inquiryNow, inquiryAt, "结案") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			q := LoadInquiry(nil)
			assert.ErrorIs(t, act(q), ErrNotFound)
			assert.Empty(t, q.Changes())
		})
	}
}

func TestCompleteRectification(t *testing.T) {
	t.Parallel()
	complete := func(by Principal, at time.Time, id, note string) func(q *Inquiry) error {
		return func(q *Inquiry) error { return q.CompleteRectification(by, inquiryNow, at, id, note) }
	}
	specs := []inquirySpec{
		{name: "by the item's owner", given: []Event{inquiryFound}, when: complete(inquiryOwner, inquiryAt, "r1", " 已补齐 "), then: []Event{inquiryDone1}},
		{name: "by an owner of another role", given: []Event{inquiryFound}, when: complete(acting(RoleChildSupervisor, "sup-1", "370902101"), inquiryAt, "r2", "已培训"),
			then: []Event{inquiryDone2}},
		{name: "by an inspector", given: []Event{inquiryFound}, when: complete(inquiryInspector, inquiryAt, "r2", "已培训"), then: []Event{inquiryDone2}},
		{name: "at the moment of the findings", given: []Event{inquiryFound}, when: complete(inquiryOwner, inquiryOpenedAt.Add(time.Minute), "r1", "已补齐"),
			then: []Event{inquiryDone1}},

		{name: "not by the owner of another item", given: []Event{inquiryFound}, when: complete(inquiryOwner, inquiryAt, "r2", "已培训"), fail: inquiryFailsForbidden},
		{name: "not by another worker", given: []Event{inquiryFound}, when: complete(acting(RoleCaseworker, "cw-1", "370902"), inquiryAt, "r1", "已补齐"),
			fail: inquiryFailsForbidden},
		{name: "not by an admin, whatever its subject", given: []Event{inquiryFound}, when: complete(acting(RoleAdmin, "dir-1", "all"), inquiryAt, "r1", "已补齐"),
			fail: inquiryFailsForbidden},
		{name: "not by an analyst", given: []Event{inquiryFound}, when: complete(acting(RoleAnalyst, "dir-1", "all"), inquiryAt, "r1", "已补齐"),
			fail: inquiryFailsForbidden},
		{name: "not twice", given: []Event{inquiryFound, inquiryDone1}, when: complete(inquiryOwner, inquiryAt, "r1", "再次"),
			fail: inquiryFailsRule(RuleRectificationDone)},
		{name: "an unknown item", given: []Event{inquiryFound}, when: complete(inquiryInspector, inquiryAt, "r9", "x"), fail: inquiryFailsNotFound},
		{name: "no item before the findings", when: complete(inquiryInspector, inquiryAt, "r1", "x"), fail: inquiryFailsNotFound},
		{name: "before the findings were recorded", given: []Event{inquiryFound}, when: complete(inquiryOwner, inquiryOpenedAt.Add(30*time.Second), "r1", "已补齐"),
			fail: inquiryFailsImpossible("occurred_at")},
		{name: "in the future", given: []Event{inquiryFound}, when: complete(inquiryOwner, inquiryNow.Add(ClockSkew+time.Second), "r1", "已补齐"),
			fail: inquiryFailsImpossible("occurred_at")},
		{name: "without a note", given: []Event{inquiryFound}, when: complete(inquiryOwner, inquiryAt, "r1", " "), fail: inquiryFailsInvalid("note")},
		{name: "a closed inquiry accepts it no more", given: []Event{inquiryFound, inquiryDone1, inquiryDone2, InquiryClosed{Conclusion: "结案"}},
			when: complete(inquiryInspector, inquiryAt, "r1", "再次"), fail: inquiryFailsRule(RuleInquiryClosed)},
	}
	runInquirySpecs(t, specs)
}

func TestCloseInquiry(t *testing.T) {
	t.Parallel()
	closeAt := func(by Principal, at time.Time, conclusion string) func(q *Inquiry) error {
		return func(q *Inquiry) error { return q.Close(by, inquiryNow, at, conclusion) }
	}
	noItems := InquiryFindingsRecorded{Jurisdiction: inquiryPlace, Findings: "无责任", Responsibilities: []Responsibility{}, Rectifications: []Rectification{}}
	specs := []inquirySpec{
		{name: "once every item is done", given: []Event{inquiryFound, inquiryDone1, inquiryDone2}, when: closeAt(inquiryInspector, inquiryAt, " 整改完成，倒查结束 "),
			then: []Event{InquiryClosed{Conclusion: "整改完成，倒查结束"}}},
		{name: "findings without items", given: []Event{noItems}, when: closeAt(inquiryInspector, inquiryAt, "无需整改"),
			then: []Event{InquiryClosed{Conclusion: "无需整改"}}},
		{name: "not before the findings", when: closeAt(inquiryInspector, inquiryAt, "结案"), fail: inquiryFailsRule(RuleNoFindings)},
		{name: "not while an item is open", given: []Event{inquiryFound, inquiryDone1}, when: closeAt(inquiryInspector, inquiryAt, "结案"),
			fail: inquiryFailsRule(RuleRectificationOpen)},
		{name: "not twice", given: []Event{noItems, InquiryClosed{Conclusion: "结案"}}, when: closeAt(inquiryInspector, inquiryAt, "再次"),
			fail: inquiryFailsRule(RuleInquiryClosed)},
		{name: "not at a time before the findings", given: []Event{noItems}, when: closeAt(inquiryInspector, inquiryOpenedAt.Add(30*time.Second), "结案"),
			fail: inquiryFailsImpossible("occurred_at")},
		{name: "not in the future", given: []Event{noItems}, when: closeAt(inquiryInspector, inquiryNow.Add(ClockSkew+time.Second), "结案"),
			fail: inquiryFailsImpossible("occurred_at")},
		{name: "without a conclusion", given: []Event{noItems}, when: closeAt(inquiryInspector, inquiryAt, ""), fail: inquiryFailsInvalid("conclusion")},
	}
	for _, role := range everyRole {
		if role != RoleInspector {
			specs = append(specs, inquirySpec{name: "not by a " + role.String(), given: []Event{noItems},
				when: closeAt(acting(role, "dir-1", "all"), inquiryAt, "结案"), fail: inquiryFailsForbidden})
		}
	}
	runInquirySpecs(t, specs)
}

// TestInquiryFactsFollowTheLoop: the facts of an inquiry through findings,
// completion and closure, as decided and as stored, and the same through
// JSON.
func TestInquiryFactsFollowTheLoop(t *testing.T) {
	t.Parallel()
	q := LoadInquiry(inquiryGiven())
	require.NoError(t, q.RecordFindings(inquiryInspector, inquiryNow, inquiryAt, inquiryPlace, findingsInput(), inRegister))
	f := q.Facts()
	require.NotNil(t, f.FindingsAt)
	assert.Equal(t, inquiryAt, *f.FindingsAt)
	assert.Equal(t, inquiryPlace, f.Jurisdiction)
	assert.Equal(t, []string{"dir-1"}, f.Responsible)
	assert.Equal(t, []RectificationItem{
		{ID: "r1", Owner: "dir-1", DueOn: NewDate(2025, time.June, 30)},
		{ID: "r2", Owner: "sup-1", DueOn: NewDate(2025, time.July, 15)},
	}, f.Rectifications)

	doneAt := inquiryAt.Add(10 * time.Minute)
	require.NoError(t, q.CompleteRectification(inquiryOwner, inquiryNow, doneAt, "r1", "已补齐"))
	require.NoError(t, q.CompleteRectification(inquiryInspector, inquiryNow, doneAt, "r2", "已培训"))
	closedAt := inquiryAt.Add(20 * time.Minute)
	require.NoError(t, q.Close(inquiryInspector, inquiryNow, closedAt, "结案"))

	decided := q.Facts()
	assert.True(t, decided.Closed())
	assert.Equal(t, closedAt, *decided.ClosedAt)
	for _, r := range decided.Rectifications {
		require.NotNil(t, r.CompletedAt, r.ID)
		assert.Equal(t, doneAt, *r.CompletedAt, r.ID)
	}
	assert.Equal(t, "结案", q.Changes()[len(q.Changes())-1].Event.(InquiryClosed).Conclusion)

	history := append(inquiryGiven(), storedAs(InquiryStream("inquiry-1"), q.Changes()...)...)
	for i := range history {
		history[i].Version, history[i].Position = int64(i+1), int64(i+1)
	}
	for name, h := range map[string][]Recorded{"as stored": history, "through JSON": throughJSON(t, history)} {
		stored := FoldInquiry(h)
		assert.Equal(t, int64(5), stored.Version, name)
		require.True(t, stored.Closed(), name)
		assert.True(t, closedAt.Equal(*stored.ClosedAt), name)
		require.NotNil(t, stored.FindingsAt, name)
		assert.True(t, inquiryAt.Equal(*stored.FindingsAt), name)
		assert.Len(t, stored.Rectifications, 2, name)
		assert.NotNil(t, stored.Rectification("r2").CompletedAt, name)
		assert.Nil(t, stored.Rectification("r3"), name)
	}
}
