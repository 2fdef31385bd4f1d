package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dlCats(words ...string) []Category {
	out := make([]Category, len(words))
	for i, w := range words {
		out[i] = term[categoryWords](w)
	}
	return out
}

func dlFlags(words ...string) []KeyChildFlag {
	out := make([]KeyChildFlag, len(words))
	for i, w := range words {
		out[i] = term[keyChildFlagWords](w)
	}
	return out
}

// dlChild registers child k1 in dlVillage at at.
func dlChild(at time.Time, categories []Category, flags []KeyChildFlag) *dlStream {
	return dlNew(ChildStream("k1")).by(dlReceiver, at, at, ChildRegistered{ChildID: "k1", Name: "小明",
		BirthDate: NewDate(2015, time.June, 1), Sex: term[sexWords]("male"), Jurisdiction: dlVillage,
		Categories: categories, KeyChildFlags: flags, Guardian: Guardian{Name: "奶奶", Relation: "grandmother"}})
}

func dlVisit() VisitRecorded { return VisitRecorded{Findings: "ok"} }

// dlConcernVisit is a visit that finds the child living alone, a
// mandatory-report concern.
func dlConcernVisit() VisitRecorded {
	return VisitRecorded{Findings: "独自在家", Concerns: []Concern{term[concernWords]("living_alone")}}
}

// dlVisits keeps the visit deadlines as (start, due, status, met) in days
// from dlT0 for a compact comparison.
type dlVisitRow struct {
	start, due float64
	status     DeadlineStatus
	met        float64 // -1: not met
}

func dlVisitRows(ds []Deadline) []dlVisitRow {
	days := func(t time.Time) float64 { return float64(t.Sub(dlT0)) / float64(dlDay) }
	var out []dlVisitRow
	for _, d := range dlOf(ds, KindVisit) {
		row := dlVisitRow{start: days(d.StartedAt), due: days(d.DueAt), status: d.Status, met: -1}
		if d.MetAt != nil {
			row.met = days(*d.MetAt)
		}
		out = append(out, row)
	}
	return out
}

func TestChildDeadlines_VisitIntervals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		child *dlStream
		now   time.Duration
		want  []dlVisitRow
	}{
		{
			name: "left-behind child: every 90 days from the last visit",
			child: dlChild(dlT0, dlCats("left_behind"), nil).
				at(dlAt(80*dlDay), dlVisit()).at(dlAt(200*dlDay), dlVisit()),
			now: 250 * dlDay,
			want: []dlVisitRow{
				{0, 90, DeadlineMet, 80}, {80, 170, DeadlineMetLate, 200}, {200, 290, DeadlineOpen, -1},
			},
		},
		{
			name: "key child: every 30 days",
			child: dlChild(dlT0, dlCats("in_difficulty"), dlFlags("dropout")).
				at(dlAt(20*dlDay), dlVisit()).at(dlAt(55*dlDay), dlVisit()),
			now: 100 * dlDay,
			want: []dlVisitRow{
				{0, 30, DeadlineMet, 20}, {20, 50, DeadlineMetLate, 55}, {55, 85, DeadlineMissed, -1},
			},
		},
		{
			name: "a visit on the due day meets it",
			child: dlChild(dlT0, dlCats("left_behind"), dlFlags("illness")).
				at(dlAt(30*dlDay), dlVisit()),
			now:  31 * dlDay,
			want: []dlVisitRow{{0, 30, DeadlineMet, 30}, {30, 60, DeadlineOpen, -1}},
		},
		{
			name: "becoming a key child mid-interval: the interval keeps the state at its start",
			child: dlChild(dlT0, dlCats("left_behind"), nil).
				at(dlAt(10*dlDay), ChildProfileUpdated{KeyChildFlags: new(dlFlags("poor_guardianship"))}).
				at(dlAt(60*dlDay), dlVisit()),
			now:  100 * dlDay,
			want: []dlVisitRow{{0, 90, DeadlineMet, 60}, {60, 90, DeadlineMissed, -1}},
		},
		{
			name: "no longer key: back to 90 days from the next interval",
			child: dlChild(dlT0, dlCats("left_behind"), dlFlags("dropout")).
				at(dlAt(5*dlDay), ChildProfileUpdated{KeyChildFlags: new([]KeyChildFlag{})}).
				at(dlAt(25*dlDay), dlVisit()),
			now:  60 * dlDay,
			want: []dlVisitRow{{0, 30, DeadlineMet, 25}, {25, 115, DeadlineOpen, -1}},
		},
		{
			name:  "a child in difficulty, neither key nor left-behind: every 90 days too (督导员职责 4)",
			child: dlChild(dlT0, dlCats("in_difficulty"), nil).at(dlAt(20*dlDay), dlVisit()),
			now:   400 * dlDay,
			want:  []dlVisitRow{{0, 90, DeadlineMet, 20}, {20, 110, DeadlineMissed, -1}},
		},
		{
			name: "becoming left-behind changes nothing: the clock ran already",
			child: dlChild(dlT0, dlCats("in_difficulty"), nil).
				at(dlAt(5*dlDay), dlVisit()).
				at(dlAt(15*dlDay), ChildProfileUpdated{Categories: new(dlCats("in_difficulty", "left_behind"))}).
				at(dlAt(50*dlDay), dlVisit()),
			now:  60 * dlDay,
			want: []dlVisitRow{{0, 90, DeadlineMet, 5}, {5, 95, DeadlineMet, 50}, {50, 140, DeadlineOpen, -1}},
		},
		{
			name: "visits entered out of order count in business-time order",
			child: dlChild(dlT0, nil, dlFlags("no_hukou")).
				at(dlAt(50*dlDay), dlVisit()).
				late(dlAt(25*dlDay), dlAt(51*dlDay), dlVisit()),
			now:  60 * dlDay,
			want: []dlVisitRow{{0, 30, DeadlineMet, 25}, {25, 55, DeadlineMet, 50}, {50, 80, DeadlineOpen, -1}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ds := ChildDeadlines(FoldChild(tc.child.all()), nil, PolicyHistory{}, dlAt(tc.now))
			assert.Equal(t, tc.want, dlVisitRows(ds), dlShow(ds))
			for _, d := range dlOf(ds, KindVisit) {
				assert.Equal(t, "k1", d.SubjectID)
				assert.Empty(t, d.CaseID)
				assert.Equal(t, "child_director:370902101201", d.Owner)
			}
		})
	}
}

func TestChildDeadlines_VisitOwnerFollowsTheChild(t *testing.T) {
	t.Parallel()
	moved := Jurisdiction{code: "370902100202"}
	s := dlChild(dlT0, dlCats("left_behind"), nil).
		at(dlAt(10*dlDay), ChildProfileUpdated{Jurisdiction: &moved})
	d := dlOne(t, ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlAt(20*dlDay)), KindVisit)
	assert.Equal(t, []OwnerSpan{{"child_director:370902101201", dlT0}, {"child_director:370902100202", dlAt(10 * dlDay)}}, d.Owners)
	assert.Equal(t, "child_director:370902100202", d.Owner)
	assert.Equal(t, "child_director:370902101201", d.OwnerAt(dlAt(9*dlDay)))
}

// TestChildDeadlinesUntil: for the village a child left, its obligations
// end where it left — a visit already due then stays missed and names only
// the director of the village left; one not yet due passes to the new
// place and is not the old one's; none starts after.
func TestChildDeadlinesUntil(t *testing.T) {
	t.Parallel()
	moved := Jurisdiction{code: "370911101201"}
	left := dlAt(40 * dlDay)
	s := dlChild(dlT0, dlCats("left_behind"), dlFlags("illness")).
		at(dlAt(20*dlDay), dlVisit()).
		at(left, ChildProfileUpdated{Jurisdiction: &moved}).
		at(dlAt(45*dlDay), dlVisit())
	ds := ChildDeadlinesUntil(FoldChild(s.all()), nil, PolicyHistory{}, dlAt(400*dlDay), left)
	assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMet, 20}}, dlVisitRows(ds), "the interval running when the child left was not yet due")
	for _, d := range ds {
		for _, o := range d.Owners {
			assert.Equal(t, "child_director:370902101201", o.Owner, "%s names only the village left", d.Kind)
		}
	}

	s = dlChild(dlT0, dlCats("left_behind"), dlFlags("illness")).
		at(left, ChildProfileUpdated{Jurisdiction: &moved}).
		at(dlAt(45*dlDay), dlVisit())
	ds = ChildDeadlinesUntil(FoldChild(s.all()), nil, PolicyHistory{}, dlAt(400*dlDay), left)
	assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMissed, -1}}, dlVisitRows(ds), "a visit due before the child left stays missed, whatever came after")
	d := dlOne(t, ds, KindVisit)
	assert.Equal(t, []OwnerSpan{{"child_director:370902101201", dlT0}}, d.Owners)
	assert.Equal(t, "child_director:370902101201", d.Owner)
}

func TestChildDeadlines_AsOfLateVisit(t *testing.T) {
	t.Parallel()
	t.Run("visit in time, entered after the due day", func(t *testing.T) {
		t.Parallel()
		s := dlChild(dlT0, dlCats("left_behind"), dlFlags("dropout")).
			late(dlAt(20*dlDay), dlAt(40*dlDay), dlVisit())
		then := ChildDeadlines(FoldChild(s.asOf(dlAt(35*dlDay))), nil, PolicyHistory{}, dlAt(35*dlDay))
		assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMissed, -1}}, dlVisitRows(then), "as the record stood on day 35")
		today := ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlAt(41*dlDay))
		assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMet, 20}, {20, 50, DeadlineOpen, -1}}, dlVisitRows(today))
	})
	t.Run("visit after the due day, entered later still", func(t *testing.T) {
		t.Parallel()
		s := dlChild(dlT0, dlCats("left_behind"), dlFlags("dropout")).
			late(dlAt(33*dlDay), dlAt(40*dlDay), dlVisit())
		assert.Equal(t, []dlVisitRow{{0, 30, DeadlineOpen, -1}},
			dlVisitRows(ChildDeadlines(FoldChild(s.asOf(dlAt(29*dlDay))), nil, PolicyHistory{}, dlAt(29*dlDay))))
		assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMissed, -1}},
			dlVisitRows(ChildDeadlines(FoldChild(s.asOf(dlAt(35*dlDay))), nil, PolicyHistory{}, dlAt(35*dlDay))))
		assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMetLate, 33}, {33, 63, DeadlineOpen, -1}},
			dlVisitRows(ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlAt(41*dlDay))))
	})
}

func dlCST(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, ChinaStandardTime)
}

func TestChildDeadlines_InfoVerification(t *testing.T) {
	t.Parallel()
	reg := dlCST(2023, time.May, 10, 10, 0)
	sept1 := func(y int) time.Time { return dlCST(y, time.September, 1, 0, 0) }

	t.Run("met each year, window edges in China Standard Time", func(t *testing.T) {
		t.Parallel()
		lastBeforeDue := time.Date(2025, time.August, 31, 23, 59, 59, 0, ChinaStandardTime)
		s := dlChild(reg, dlCats("in_difficulty"), nil).
			at(dlCST(2024, time.March, 1, 9, 0), ChildProfileUpdated{Schooling: new("grade 3")}).
			at(lastBeforeDue, dlVisit())
		ds := dlOf(ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlCST(2025, time.October, 1, 0, 0)), KindInfoVerification)
		require.Len(t, ds, 4, dlShow(ds))
		dlSame(t, time.Date(2023, time.August, 31, 16, 0, 0, 0, time.UTC), ds[0].DueAt, "1 Sept 00:00 CST")
		dlSame(t, reg, ds[0].StartedAt, "the first starts at registration")
		dlMet(t, ds[0], DeadlineMet, &reg) // the file was made within the year
		dlSame(t, sept1(2023), ds[1].StartedAt, "then at the previous verification day")
		dlSame(t, sept1(2024), ds[1].DueAt, "due")
		dlMet(t, ds[1], DeadlineMet, dlPtr(dlCST(2024, time.March, 1, 9, 0)))
		dlSame(t, sept1(2025), ds[2].DueAt, "due")
		dlMet(t, ds[2], DeadlineMet, &lastBeforeDue)
		dlSame(t, sept1(2026), ds[3].DueAt, "the first one after now")
		dlMet(t, ds[3], DeadlineOpen, nil) // the visit a second before the window does not count
		for _, d := range ds {
			assert.Equal(t, "child_director:370902101201", d.Owner)
			assert.Equal(t, "k1", d.SubjectID)
		}
	})
	t.Run("an event on the verification day itself counts", func(t *testing.T) {
		t.Parallel()
		s := dlChild(reg, dlCats("in_difficulty"), nil).at(sept1(2024), dlVisit())
		ds := dlOf(ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlCST(2024, time.October, 1, 0, 0)), KindInfoVerification)
		require.Len(t, ds, 3)
		dlMet(t, ds[1], DeadlineMet, dlPtr(sept1(2024)))
		dlMet(t, ds[2], DeadlineMet, dlPtr(sept1(2024))) // also the first day of the next window
	})
	t.Run("late and missed", func(t *testing.T) {
		t.Parallel()
		s := dlChild(reg, dlCats("in_difficulty"), nil).at(dlCST(2024, time.October, 15, 9, 0), dlVisit())
		ds := dlOf(ChildDeadlines(FoldChild(s.asOf(dlCST(2024, time.October, 1, 0, 0))), nil, PolicyHistory{}, dlCST(2024, time.October, 1, 0, 0)), KindInfoVerification)
		require.Len(t, ds, 3)
		dlMet(t, ds[0], DeadlineMet, &reg)
		dlMet(t, ds[1], DeadlineMissed, nil)
		dlMet(t, ds[2], DeadlineOpen, nil)

		ds = dlOf(ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlCST(2025, time.October, 1, 0, 0)), KindInfoVerification)
		require.Len(t, ds, 4)
		dlMet(t, ds[1], DeadlineMetLate, dlPtr(dlCST(2024, time.October, 15, 9, 0)))
		dlMet(t, ds[2], DeadlineMet, dlPtr(dlCST(2024, time.October, 15, 9, 0)))
		dlMet(t, ds[3], DeadlineOpen, nil)
	})
	t.Run("a new verification day applies from the next deadline that starts under it", func(t *testing.T) {
		t.Parallel()
		p := DefaultPolicy()
		p.InfoVerification = MonthDay{Month: time.October, Day: 1}
		policies := dlPolicies(dlChange{dlCST(2024, time.January, 1, 0, 0), p})
		s := dlChild(reg, dlCats("in_difficulty"), nil)
		ds := dlOf(ChildDeadlines(FoldChild(s.all()), nil, policies, dlCST(2025, time.November, 1, 0, 0)), KindInfoVerification)
		require.Len(t, ds, 4, dlShow(ds))
		dlSame(t, sept1(2023), ds[0].DueAt, "2023")
		dlSame(t, sept1(2024), ds[1].DueAt, "started 1 Sept 2023 under the old policy")
		assert.Equal(t, int64(0), ds[1].PolicyVersion)
		dlSame(t, dlCST(2025, time.October, 1, 0, 0), ds[2].DueAt, "started 1 Sept 2024 under the new one")
		assert.Equal(t, int64(1), ds[2].PolicyVersion)
		dlSame(t, dlCST(2026, time.October, 1, 0, 0), ds[3].DueAt, "2026")
	})
}

func TestChildDeadlines_Erasure(t *testing.T) {
	t.Parallel()
	t.Run("the running interval is dropped if not yet due", func(t *testing.T) {
		t.Parallel()
		s := dlChild(dlT0, dlCats("left_behind"), dlFlags("illness")).
			at(dlAt(20*dlDay), dlVisit()).
			at(dlAt(35*dlDay), ChildDataErased{Reason: "moved abroad"})
		ds := ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlAt(400*dlDay))
		assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMet, 20}}, dlVisitRows(ds))
		iv := dlOne(t, ds, KindInfoVerification) // none starts after the erasure
		dlMet(t, iv, DeadlineMet, &dlT0)         // the registration verified the file before the erasure
	})
	t.Run("one already due stays missed", func(t *testing.T) {
		t.Parallel()
		s := dlChild(dlT0, dlCats("left_behind"), dlFlags("illness")).
			at(dlAt(40*dlDay), ChildDataErased{Reason: "court order"})
		ds := ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlAt(400*dlDay))
		assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMissed, -1}}, dlVisitRows(ds))
		assert.Len(t, ds, 2, "and the 2025 verification, met by the registration")
	})
	t.Run("an unmet verification not yet due is dropped", func(t *testing.T) {
		t.Parallel()
		s := dlChild(dlCST(2023, time.May, 10, 10, 0), dlCats("in_difficulty"), nil).
			at(dlCST(2024, time.June, 1, 9, 0), ChildDataErased{Reason: "reached adulthood"})
		ds := dlOf(ChildDeadlines(FoldChild(s.all()), nil, PolicyHistory{}, dlCST(2026, time.January, 1, 0, 0)), KindInfoVerification)
		require.Len(t, ds, 1, dlShow(ds))
		dlSame(t, dlCST(2023, time.September, 1, 0, 0), ds[0].DueAt, "only 2023's")
	})
	t.Run("no stream, no deadlines", func(t *testing.T) {
		t.Parallel()
		assert.Nil(t, ChildDeadlines(FoldChild(nil), nil, PolicyHistory{}, dlT0))
	})
}

func TestChildDeadlines_PolicyChangeBetweenVisits(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.KeyChildVisit = Days(14)
	policies := dlPolicies(dlChange{dlAt(25 * dlDay), p})
	s := dlChild(dlT0, nil, dlFlags("disability")).at(dlAt(20*dlDay), dlVisit()).at(dlAt(40*dlDay), dlVisit())
	ds := dlOf(ChildDeadlines(FoldChild(s.all()), nil, policies, dlAt(41*dlDay)), KindVisit)
	require.Len(t, ds, 3)
	assert.Equal(t, []int64{0, 0, 1}, []int64{ds[0].PolicyVersion, ds[1].PolicyVersion, ds[2].PolicyVersion})
	assert.Equal(t, []dlVisitRow{{0, 30, DeadlineMet, 20}, {20, 50, DeadlineMet, 40}, {40, 54, DeadlineOpen, -1}}, dlVisitRows(ds))
}
