package projections_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
)

// timelineItem is a recorded event as a timeline shows it, summary aside.
func timelineItem(r domain.Recorded, caseID string) projections.TimelineItem {
	return projections.TimelineItem{
		Type: r.Event.EventType(), OccurredAt: r.OccurredAt.UTC(), RecordedAt: r.RecordedAt.UTC(),
		Actor:          projections.TimelineActor{Subject: r.Actor.Subject, Role: r.Actor.Role.String(), Jurisdiction: r.Actor.Jurisdiction.String()},
		GlobalPosition: r.Position, CaseID: caseID,
	}
}

// timelineOracle computes timelines straight from the log: a case's
// events, or a child's own events and those of every case whose report
// names the child; only those recorded at or before asOf (zero: all), in
// business-time order.
type timelineOracle struct {
	cases    map[string][]domain.Recorded // by case id
	children map[string][]domain.Recorded // by child id
}

func newTimelineOracle(t *testing.T, store eventstore.Store) timelineOracle {
	o := timelineOracle{cases: map[string][]domain.Recorded{}, children: map[string][]domain.Recorded{}}
	for stream, history := range streamsOf(t, store, domain.StreamCase) {
		o.cases[strings.TrimPrefix(stream, "case-")] = history
	}
	for stream, history := range streamsOf(t, store, domain.StreamChild) {
		o.children[strings.TrimPrefix(stream, "child-")] = history
	}
	return o
}

func oracleItems(caseID string, history []domain.Recorded, asOf time.Time) []projections.TimelineItem {
	var out []projections.TimelineItem
	for _, r := range history {
		if asOf.IsZero() || !r.RecordedAt.After(asOf) {
			out = append(out, timelineItem(r, caseID))
		}
	}
	return out
}

func sortTimeline(items []projections.TimelineItem) []projections.TimelineItem {
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].OccurredAt.Equal(items[j].OccurredAt) {
			return items[i].OccurredAt.Before(items[j].OccurredAt)
		}
		return items[i].GlobalPosition < items[j].GlobalPosition
	})
	if items == nil {
		return []projections.TimelineItem{}
	}
	return items
}

func (o timelineOracle) caseTimeline(caseID string, asOf time.Time) []projections.TimelineItem {
	return sortTimeline(oracleItems(caseID, o.cases[caseID], asOf))
}

func (o timelineOracle) childTimeline(childID string, asOf time.Time) []projections.TimelineItem {
	items := oracleItems("", o.children[childID], asOf)
	for caseID, history := range o.cases {
		if opened, ok := history[0].Event.(domain.ReportReceived); ok && opened.ChildID == childID {
			items = append(items, oracleItems(caseID, history, asOf)...)
		}
	}
	return sortTimeline(items)
}

// withoutSummaries blanks the summaries (checked on their own) after
// checking each is there.
func withoutSummaries(t *testing.T, items []projections.TimelineItem) []projections.TimelineItem {
	out := make([]projections.TimelineItem, len(items))
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

// TestTimelineOracle: every case's and child's timeline, at every moment
// viewed, equals the events of the log filtered by recorded_at and sorted
// by business time — while the engine follows the writers, and after a
// rebuild from scratch.
func TestTimelineOracle(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		var seed childSeed
		runWhile(t, b, func() {
			seed = childWorkload(t, b.store)
			workload(t, b.store, 31, 3, 25)
		}, projections.Timeline{})

		o := newTimelineOracle(t, b.store)
		moments := asOfMoments(t, b.store)
		check := func(t *testing.T) {
			for _, asOf := range moments {
				for caseID := range o.cases {
					got, err := projections.CaseTimeline(ctx, b.db, caseID, asOf)
					require.NoError(t, err)
					assert.Equal(t, o.caseTimeline(caseID, asOf), withoutSummaries(t, got), "case %s as of %s", caseID, asOf)
				}
				for childID := range o.children {
					got, err := projections.ChildTimeline(ctx, b.db, childID, asOf)
					require.NoError(t, err)
					assert.Equal(t, o.childTimeline(childID, asOf), withoutSummaries(t, got), "child %s as of %s", childID, asOf)
				}
			}
		}
		check(t)
		rebuildFromScratch(t, b, projections.Timeline{})
		check(t)

		// The whole of A's timeline: its file and both its cases.
		a, err := projections.ChildTimeline(ctx, b.db, seed.A, time.Time{})
		require.NoError(t, err)
		assert.Len(t, a, len(o.children[seed.A])+len(o.cases[seed.CaseA1])+len(o.cases[seed.CaseA2]))

		// Summaries people read.
		summaries := func(items []projections.TimelineItem) map[string]string {
			m := map[string]string{}
			for _, it := range items {
				m[it.Type] = it.Summary
			}
			return m
		}
		case1, err := projections.CaseTimeline(ctx, b.db, seed.CaseA1, time.Time{})
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
		file, err := projections.ChildTimeline(ctx, b.db, seed.B, time.Time{})
		require.NoError(t, err)
		fileSummaries := summaries(file)
		assert.Equal(t, "建立儿童档案：困境儿童（家庭贫困）", fileSummaries["child.registered"])
		assert.Equal(t, "更新儿童档案：姓名、监护人", fileSummaries["child.profile_updated"])
		assert.Equal(t, "删除个人信息", fileSummaries["child.data_erased"])
		assert.Equal(t, "收到报告：患病，低风险（12355热线）", fileSummaries["case.report_received"])
		assert.Equal(t, "卫生健康部门拒绝转介：医疗救治", fileSummaries["case.referral_declined"])
		assert.Equal(t, "结案：经核实不属实", fileSummaries["case.closed"])
		assert.Equal(t, "重新开案", fileSummaries["case.reopened"])
		fileA := summaries(a)
		assert.Equal(t, "建立儿童档案：农村留守儿童，重点儿童（监护不力）", fileA["child.registered"])
		assert.Equal(t, "委托监护确认：已告知父母", fileA["child.guardianship_entrustment_confirmed"])
		assert.Equal(t, "更正记录：走访", fileA["record.entry_corrected"])
	})
}

// TestTimelineAsOfExcludesLateEntries: entries recorded after a moment —
// with business times before it — are absent from the view as of that
// moment and present, in business-time order, in today's.
func TestTimelineAsOfExcludesLateEntries(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		seed := childWorkload(t, b.store)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.Timeline{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		head, err := b.store.Head(ctx)
		require.NoError(t, err)
		last, err := b.store.ReadLog(ctx, head.Position-1, 1)
		require.NoError(t, err)
		require.Len(t, last, 1)
		asOf := last[0].RecordedAt
		before, err := projections.ChildTimeline(ctx, b.db, seed.A, asOf)
		require.NoError(t, err)
		beforeCase, err := projections.CaseTimeline(ctx, b.db, seed.CaseA1, asOf)
		require.NoError(t, err)

		time.Sleep(5 * time.Millisecond) // recorded_at moves on
		lateVisitAt := now.Add(-30 * 24 * time.Hour)
		visit, err := seed.Handlers.RecordVisit(ctx, seed.Caseworker1Call, commands.RecordVisit{ChildID: seed.A, OccurredAt: lateVisitAt, Findings: "补录一个月前的走访"})
		require.NoError(t, err)
		followUpAt := now.Add(-30 * time.Hour)
		followUp, err := seed.Handlers.RecordFollowUp(ctx, seed.Caseworker1Call, commands.RecordFollowUp{CaseID: seed.CaseA1, OccurredAt: followUpAt, Note: "补录的电话回访"})
		require.NoError(t, err)
		require.NoError(t, e.CatchUp(ctx))
		late, err := b.store.ReadLog(ctx, head.Position, 0)
		require.NoError(t, err)
		require.Len(t, late, 2)
		require.True(t, late[0].RecordedAt.After(asOf), "the late entries are recorded after the moment viewed")

		positions := func(items []projections.TimelineItem) []int64 {
			var out []int64
			for _, it := range items {
				out = append(out, it.GlobalPosition)
			}
			return out
		}
		asOfView, err := projections.ChildTimeline(ctx, b.db, seed.A, asOf)
		require.NoError(t, err)
		assert.Equal(t, before, asOfView, "the past view does not change when late entries arrive")
		assert.NotContains(t, positions(asOfView), visit.LastPosition())
		assert.NotContains(t, positions(asOfView), followUp.LastPosition())

		today, err := projections.ChildTimeline(ctx, b.db, seed.A, time.Time{})
		require.NoError(t, err)
		assert.Contains(t, positions(today), visit.LastPosition())
		assert.Contains(t, positions(today), followUp.LastPosition())
		assert.Len(t, today, len(asOfView)+2)
		assert.Equal(t, visit.LastPosition(), today[0].GlobalPosition, "the late visit happened first of all")
		assert.Equal(t, lateVisitAt.UTC(), today[0].OccurredAt)
		for i := 1; i < len(today); i++ {
			assert.False(t, today[i].OccurredAt.Before(today[i-1].OccurredAt), "business-time order at %d", i)
		}

		caseAsOf, err := projections.CaseTimeline(ctx, b.db, seed.CaseA1, asOf)
		require.NoError(t, err)
		assert.Equal(t, beforeCase, caseAsOf)
		caseToday, err := projections.CaseTimeline(ctx, b.db, seed.CaseA1, time.Time{})
		require.NoError(t, err)
		require.Len(t, caseToday, len(caseAsOf)+1)
		var at int
		for i, it := range caseToday {
			if it.GlobalPosition == followUp.LastPosition() {
				at = i
			}
		}
		assert.Equal(t, followUpAt.UTC(), caseToday[at].OccurredAt)
		assert.Less(t, at, len(caseToday)-1, "the late follow-up is placed by its business time, not at the end")
		assert.Equal(t, "跟进回访", caseToday[at].Summary)
	})
}

// TestTimelineSummariesCarryNoPersonalData: no summary holds a seeded
// name, ID number, phone, place or note, and none is left untranslated.
func TestTimelineSummariesCarryNoPersonalData(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		seed := childWorkload(t, b.store)
		workload(t, b.store, 41, 1, 15)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.Timeline{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))

		sensitive := append(seed.Sensitive, "小明", "张三", "王芳")
		rows, err := b.db.Query(`SELECT type, summary FROM rm_timeline`)
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
			for _, s := range sensitive {
				assert.NotContains(t, summary, s, "%s", typ)
			}
		}
		require.NoError(t, rows.Err())
		assert.Greater(t, n, 40)
		assert.Len(t, types, 23, "every event type of cases and child files was summarized: %v", types)
	})
}
