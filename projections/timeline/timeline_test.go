package timeline_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/timeline"
	"github.com/careledger/careledger/tests/readtest"
)

// item is a recorded event as a timeline shows it, summary aside.
func item(r domain.Recorded, caseID string) timeline.Item {
	return timeline.Item{
		Type: r.Event.EventType(), OccurredAt: r.OccurredAt.UTC(), RecordedAt: r.RecordedAt.UTC(),
		Actor:          timeline.Actor{Subject: r.Actor.Subject, Role: r.Actor.Role.String(), Jurisdiction: r.Actor.Jurisdiction.String(), Qualification: r.Actor.Qualification.String()},
		GlobalPosition: r.Position, CaseID: caseID,
	}
}

// oracle computes timelines straight from the log: a case's events, or a
// child's own events and those of every case the domain's fold gives the
// child (domain.CaseFacts.ChildID); only those recorded at or before asOf
// (zero: all), in business-time order.
type oracle struct {
	cases    map[string][]domain.Recorded // by case id
	children map[string][]domain.Recorded // by child id
}

func newOracle(t *testing.T, store eventstore.Store) oracle {
	o := oracle{cases: map[string][]domain.Recorded{}, children: map[string][]domain.Recorded{}}
	for _, history := range commandstest.Streams(t, store, domain.StreamCase) {
		o.cases[history[0].StreamID.ID()] = history
	}
	for _, history := range commandstest.Streams(t, store, domain.StreamChild) {
		o.children[history[0].StreamID.ID()] = history
	}
	return o
}

func items(caseID string, history []domain.Recorded, asOf time.Time) []timeline.Item {
	var out []timeline.Item
	for _, r := range history {
		if asOf.IsZero() || !r.RecordedAt.After(asOf) {
			out = append(out, item(r, caseID))
		}
	}
	return out
}

func inOrder(items []timeline.Item) []timeline.Item {
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].OccurredAt.Equal(items[j].OccurredAt) {
			return items[i].OccurredAt.Before(items[j].OccurredAt)
		}
		return items[i].GlobalPosition < items[j].GlobalPosition
	})
	if items == nil {
		return []timeline.Item{}
	}
	return items
}

func (o oracle) ofCase(caseID string, asOf time.Time) []timeline.Item {
	return inOrder(items(caseID, o.cases[caseID], asOf))
}

func (o oracle) ofChild(childID string, asOf time.Time) []timeline.Item {
	out := items("", o.children[childID], asOf)
	for caseID, history := range o.cases {
		if domain.FoldCase(history).ChildID == childID {
			out = append(out, items(caseID, history, asOf)...)
		}
	}
	return inOrder(out)
}

// withoutSummaries blanks the summaries (checked on their own) after
// checking each is there.
func withoutSummaries(t *testing.T, items []timeline.Item) []timeline.Item {
	out := make([]timeline.Item, len(items))
	for i, it := range items {
		assert.NotEmpty(t, it.Summary, "summary of %s at %d", it.Type, it.GlobalPosition)
		it.Summary = ""
		out[i] = it
	}
	return out
}

// asOfMoments are the moments the oracle views the record at: now, before
// anything was recorded, and at each tenth of the log.
func asOfMoments(t *testing.T, store eventstore.Store) []time.Time {
	all, err := store.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	require.NotEmpty(t, all)
	moments := []time.Time{{}, all[0].RecordedAt.Add(-time.Microsecond)}
	for i := 0; i < len(all); i += max(1, len(all)/10) {
		moments = append(moments, all[i].RecordedAt)
	}
	return moments
}

// summaries maps each type of event of a timeline to its summary.
func summaries(items []timeline.Item) map[string]string {
	m := map[string]string{}
	for _, it := range items {
		m[it.Type] = it.Summary
	}
	return m
}

// TestOracle: every case's and child's timeline, at every moment viewed,
// equals the events of the log filtered by recorded_at and sorted by
// business time — while the engine follows the writers, and after a
// rebuild from scratch.
func TestOracle(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := readtest.RunWhileSeeded(t, b, 31, 3, 25, timeline.Projection{})

		o := newOracle(t, b.Store)
		moments := asOfMoments(t, b.Store)
		check := func(t *testing.T) {
			for _, asOf := range moments {
				for caseID := range o.cases {
					got, err := timeline.OfCase(ctx, b.DB, caseID, asOf)
					require.NoError(t, err)
					assert.Equal(t, o.ofCase(caseID, asOf), withoutSummaries(t, got), "case %s as of %s", caseID, asOf)
				}
				for childID := range o.children {
					got, err := timeline.OfChild(ctx, b.DB, childID, asOf)
					require.NoError(t, err)
					assert.Equal(t, o.ofChild(childID, asOf), withoutSummaries(t, got), "child %s as of %s", childID, asOf)
				}
			}
		}
		check(t)
		enginetest.RebuildFromScratch(t, b, timeline.Projection{})
		check(t)

		// The whole of A's timeline: its file and both its cases.
		a, err := timeline.OfChild(ctx, b.DB, s.ChildA, time.Time{})
		require.NoError(t, err)
		assert.Len(t, a, len(o.children[s.ChildA])+len(o.cases[s.CaseA1])+len(o.cases[s.CaseA2]))

		// Summaries people read.
		case1, err := timeline.OfCase(ctx, b.DB, s.CaseA1, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{
			"case.report_received":                    "收到报告：独自在家、疏于照料，高风险（12355热线）",
			"case.report_forwarded_to_police":         "报告公安机关",
			"case.assigned":                           "指派个案工作者",
			"case.emergency_response_recorded":        "应急处置",
			"case.assessment_completed":               "完成评估：中风险，含监护评估",
			"case.conference_held":                    "个案会商：教育部门、公安机关参加",
			"case.referral_made":                      "转介教育部门：返校复学",
			"case.referral_accepted":                  "教育部门接收转介：返校复学",
			"case.temporary_guardianship_started":     "临时监护开始：监护人失踪，安置于亲属家",
			"case.guardianship_intervention_recorded": "监护干预",
			"case.follow_up_recorded":                 "跟进回访",
			"case.temporary_guardianship_ended":       "临时监护结束：返回家庭",
			"case.referral_completed":                 "教育部门完成转介服务：返校复学",
			"case.major_incident_declared":            "宣布重大事件",
			"case.closed":                             "结案：已解决",
		}, summaries(case1))
		file, err := timeline.OfChild(ctx, b.DB, s.ChildB, time.Time{})
		require.NoError(t, err)
		fileB := summaries(file)
		assert.Equal(t, "建立儿童档案：困境儿童（家庭贫困）", fileB["child.registered"])
		assert.Equal(t, "更新儿童档案：姓名、监护人", fileB["child.profile_updated"])
		assert.Equal(t, "删除个人信息", fileB["child.data_erased"])
		assert.Equal(t, "收到报告：患病，低风险（12355热线）", fileB["case.report_received"])
		assert.Equal(t, "卫生健康部门拒绝转介：医疗救治", fileB["case.referral_declined"])
		assert.Equal(t, "结案：经核实不属实", fileB["case.closed"])
		assert.Equal(t, "重新开案", fileB["case.reopened"])
		fileA := summaries(a)
		assert.Equal(t, "建立儿童档案：农村留守儿童，重点儿童（监护不力）", fileA["child.registered"])
		assert.Equal(t, "委托监护确认：已告知父母", fileA["child.guardianship_entrustment_confirmed"])
		firstVisit := int64(0) // the first visit recorded is the one the seed corrects
		for _, it := range a {
			if it.Type == "child.visit_recorded" && (firstVisit == 0 || it.GlobalPosition < firstVisit) {
				firstVisit = it.GlobalPosition
			}
		}
		assert.Equal(t, fmt.Sprintf("更正记录：走访（日志位置 %d）", firstVisit), fileA["record.entry_corrected"])
		var visits []string
		for _, it := range a {
			if it.Type == "child.visit_recorded" {
				visits = append(visits, it.Summary)
			}
		}
		assert.ElementsMatch(t, []string{"走访：关注独自在家", "走访", "走访"}, visits)
	})
}

// TestAsOfExcludesLateEntries: entries recorded after a moment — with
// business times before it — are absent from the view as of that moment
// and present, in business-time order, in today's.
func TestAsOfExcludesLateEntries(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		e := enginetest.CatchUp(t, b, timeline.Projection{})
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		last, err := b.Store.ReadLog(ctx, head.Position-1, 1)
		require.NoError(t, err)
		require.Len(t, last, 1)
		asOf := last[0].RecordedAt
		before, err := timeline.OfChild(ctx, b.DB, s.ChildA, asOf)
		require.NoError(t, err)
		beforeCase, err := timeline.OfCase(ctx, b.DB, s.CaseA1, asOf)
		require.NoError(t, err)

		time.Sleep(5 * time.Millisecond) // recorded_at moves on
		lateVisitAt := enginetest.Now.Add(-30 * 24 * time.Hour)
		visit, err := s.Handlers.RecordVisit(ctx, s.Caseworker1Call, commands.RecordVisit{ChildID: s.ChildA, OccurredAt: lateVisitAt, Findings: "补录一个月前的走访"})
		require.NoError(t, err)
		followUpAt := enginetest.Now.Add(-30 * time.Hour)
		followUp, err := s.Handlers.RecordFollowUp(ctx, s.Caseworker1Call, commands.RecordFollowUp{CaseID: s.CaseA1, OccurredAt: followUpAt, Note: "补录的电话回访"})
		require.NoError(t, err)
		require.NoError(t, e.CatchUp(ctx))
		late, err := b.Store.ReadLog(ctx, head.Position, 0)
		require.NoError(t, err)
		require.Len(t, late, 2)
		require.True(t, late[0].RecordedAt.After(asOf), "the late entries are recorded after the moment viewed")

		positions := func(items []timeline.Item) []int64 {
			var out []int64
			for _, it := range items {
				out = append(out, it.GlobalPosition)
			}
			return out
		}
		asOfView, err := timeline.OfChild(ctx, b.DB, s.ChildA, asOf)
		require.NoError(t, err)
		assert.Equal(t, before, asOfView, "the past view does not change when late entries arrive")
		assert.NotContains(t, positions(asOfView), visit.LastPosition())
		assert.NotContains(t, positions(asOfView), followUp.LastPosition())

		today, err := timeline.OfChild(ctx, b.DB, s.ChildA, time.Time{})
		require.NoError(t, err)
		assert.Contains(t, positions(today), visit.LastPosition())
		assert.Contains(t, positions(today), followUp.LastPosition())
		assert.Len(t, today, len(asOfView)+2)
		assert.Equal(t, visit.LastPosition(), today[0].GlobalPosition, "the late visit happened first of all")
		assert.Equal(t, lateVisitAt.UTC(), today[0].OccurredAt)
		for i := 1; i < len(today); i++ {
			assert.False(t, today[i].OccurredAt.Before(today[i-1].OccurredAt), "business-time order at %d", i)
		}

		caseAsOf, err := timeline.OfCase(ctx, b.DB, s.CaseA1, asOf)
		require.NoError(t, err)
		assert.Equal(t, beforeCase, caseAsOf)
		caseToday, err := timeline.OfCase(ctx, b.DB, s.CaseA1, time.Time{})
		require.NoError(t, err)
		require.Len(t, caseToday, len(caseAsOf)+1)
		at := -1
		for i, it := range caseToday {
			if it.GlobalPosition == followUp.LastPosition() {
				at = i
			}
		}
		require.GreaterOrEqual(t, at, 0)
		assert.Equal(t, followUpAt.UTC(), caseToday[at].OccurredAt)
		assert.Less(t, at, len(caseToday)-1, "the late follow-up is placed by its business time, not at the end")
		assert.Equal(t, "跟进回访", caseToday[at].Summary)
	})
}

// TestSummariesCarryNoPersonalData: no summary holds a seeded name, ID
// number, phone, place or note, and none is left untranslated.
func TestSummariesCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		commandstest.Workload(t, b.Store, enginetest.Now, 41, 1, 15)
		enginetest.CatchUp(t, b, timeline.Projection{})

		sensitive := append(s.Sensitive, "小明", "张三", "王芳")
		rows, err := b.DB.SQL.Query(`SELECT type, summary FROM rm_timeline`)
		require.NoError(t, err)
		defer rows.Close()
		untranslated := regexp.MustCompile(`[A-Za-z_]{2,}`)
		types := map[string]bool{}
		n := 0
		for rows.Next() {
			var typ, summary string
			require.NoError(t, rows.Scan(&typ, &summary))
			n++
			types[typ] = true
			assert.NotEmpty(t, summary)
			assert.False(t, untranslated.MatchString(summary), "%s: %q has an untranslated word", typ, summary)
			for _, x := range sensitive {
				assert.NotContains(t, summary, x, "%s", typ)
			}
		}
		require.NoError(t, rows.Err())
		assert.Greater(t, n, 40)
		assert.Len(t, types, 23, "every event type of cases and child files was summarized: %v", types)
	})
}

// TestSecondReportAndReferral: a second ReportReceived in a case's stream
// naming another child, and a second ReferralMade with a referral's id
// naming another agency — which no command appends, but the log may hold —
// neither stop the timeline nor move the case: its entries stay on the
// first child's timeline and the answers name the first referral's agency,
// as domain.CaseFacts has it (the old timeline stopped on the second
// report).
func TestSecondReportAndReferral(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		e := enginetest.CatchUp(t, b, timeline.Projection{})

		history, err := eventlog.New().ReadStream(ctx, b.Store, domain.CaseStream(s.CaseA1))
		require.NoError(t, err)
		facts := domain.FoldCase(history)
		require.Len(t, facts.Referrals, 1)
		by := history[0].Actor
		opened := history[0].Event.(domain.ReportReceived)
		again := opened
		again.ChildID = s.ChildC
		health, err := domain.ParseAgency("health")
		require.NoError(t, err)
		legal, err := domain.ParseService("legal_aid")
		require.NoError(t, err)
		changes := []domain.Change{
			{Event: again, Actor: by, OccurredAt: enginetest.Now},
			{Event: domain.ReferralMade{ReferralID: facts.Referrals[0].ID, Agency: health, Service: legal}, Actor: by, OccurredAt: enginetest.Now},
			{Event: domain.ReferralAccepted{ReferralID: facts.Referrals[0].ID}, Actor: by, OccurredAt: enginetest.Now},
		}
		events, err := eventlog.New().Encode(changes, eventlog.Envelope{})
		require.NoError(t, err)
		_, err = b.Store.Append(ctx, eventlog.StreamRef(domain.CaseStream(s.CaseA1)), eventstore.AnyVersion, events...)
		require.NoError(t, err)

		check := func(t *testing.T) {
			for _, st := range e.Statuses() {
				assert.NoError(t, st.Stopped, "%s stopped", st.Name)
			}
			o := newOracle(t, b.Store)
			require.Equal(t, s.ChildA, domain.FoldCase(o.cases[s.CaseA1]).ChildID, "the domain's fold keeps the first report")
			for _, child := range []string{s.ChildA, s.ChildC} {
				got, err := timeline.OfChild(ctx, b.DB, child, time.Time{})
				require.NoError(t, err)
				assert.Equal(t, o.ofChild(child, time.Time{}), withoutSummaries(t, got), "child %s", child)
			}
			got, err := timeline.OfCase(ctx, b.DB, s.CaseA1, time.Time{})
			require.NoError(t, err)
			require.Len(t, got, len(history)+3)
			tail := got[len(got)-3:]
			assert.Equal(t, "收到报告：独自在家、疏于照料，高风险（12355热线）", tail[0].Summary)
			assert.Equal(t, "转介卫生健康部门：法律援助", tail[1].Summary, "the event says what it says")
			assert.Equal(t, "教育部门接收转介：返校复学", tail[2].Summary, "the answer is to the first referral made with its id")
		}
		require.NoError(t, e.CatchUp(ctx))
		check(t)
		enginetest.RebuildFromScratch(t, b, timeline.Projection{})
		check(t)
	})
}

// TestSummary: the lines of events that need a referral or none, and the
// actor as a timeline shows it.
func TestSummary(t *testing.T) {
	t.Parallel()
	education, err := domain.ParseAgency("education")
	require.NoError(t, err)
	school, err := domain.ParseService("return_to_school")
	require.NoError(t, err)
	known := func(id string) (domain.Agency, domain.Service, bool) { return education, school, id == "r1" }
	for _, c := range []struct {
		name     string
		ev       domain.Event
		referral func(string) (domain.Agency, domain.Service, bool)
		want     string
	}{
		{"answer to a known referral", domain.ReferralCompleted{ReferralID: "r1", Note: "张老师"}, known, "教育部门完成转介服务：返校复学"},
		{"answer to an unknown referral", domain.ReferralDeclined{ReferralID: "r2", Reason: "床位已满"}, known, "拒绝转介"},
		{"answer outside a case", domain.ReferralAccepted{ReferralID: "r1"}, nil, "接收转介"},
		{"a visit without concerns", domain.VisitRecorded{Findings: "一切正常"}, nil, "走访"},
		{"entrustment without notice", domain.GuardianshipEntrustmentConfirmed{EntrustedGuardian: domain.Guardian{Name: "李二婶"}}, nil, "委托监护确认：未告知父母"},
		{"an empty update", domain.ChildProfileUpdated{}, nil, "更新儿童档案"},
		{"a report without words", domain.ReportReceived{Summary: "邻居来电"}, nil, "收到报告"},
		{"an assessment without risk", domain.AssessmentCompleted{Needs: []string{"陪伴"}}, nil, "完成评估"},
		{"a conference without agencies", domain.CaseConferenceHeld{Decisions: "再议"}, nil, "个案会商"},
		{"a note-only event", domain.FollowUpRecorded{Note: "孩子很好"}, nil, "跟进回访"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, timeline.Summary(c.ev, c.referral))
		})
	}
	chief := domain.Actor{Subject: "w1", Role: domain.RoleChildDirector, Jurisdiction: enginetest.Jur(t, "370902101201")}
	assert.Equal(t, timeline.Actor{Subject: "w1", Role: "child_director", Jurisdiction: "370902101201"}, timeline.ActorOf(chief))
}
