package projections_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
)

// policyChangedAt is when clockWorkload's admin shortens the clocks: after
// the business time of some acts recorded before it, so that streams not
// touched again still change.
var policyChangedAt = now.Add(-20 * 24 * time.Hour)

// clockWorkload drives, on a clock it moves through the past, what the
// deadline and statistics views need: workers with trainings, children
// with visits and a move, cases with police reports, responses,
// assignments, assessments, guardianship, referrals and their answers,
// closures (some discharging obligations not yet due), follow-ups after
// return home and reopenings, and a change of the deadline policy.
func clockWorkload(t *testing.T, store eventstore.Store, seed uint64) {
	ctx := context.Background()
	var mu sync.Mutex
	clock := now
	setClock := func(at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		clock = at
	}
	h := commands.New(store, commands.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }))
	ok := func(err error) {
		t.Helper()
		if err != nil && !errors.Is(err, domain.ErrRule) {
			t.Errorf("clock workload: %v", err)
		}
	}
	must := func(err error) {
		t.Helper()
		require.NoError(t, err)
	}
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}

	start := time.Date(2024, 6, 1, 10, 0, 0, 0, domain.ChinaStandardTime)
	setClock(start)
	cw, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")})
	must(err)
	director, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "李娟", Role: domain.RoleChildDirector, Jurisdiction: jur(t, "370902101201")})
	must(err)
	supervisor, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "赵强", Role: domain.RoleChildSupervisor, Jurisdiction: jur(t, "370902101")})
	must(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director.ID, Passed: true, CompletedOn: domain.NewDate(2024, 5, 20)})
	must(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: supervisor.ID, Passed: true, CompletedOn: domain.NewDate(2023, 3, 1)})
	must(err)
	call := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: cw.ID, Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")}}}

	leftBehind, _ := domain.ParseCategories([]string{"left_behind"})
	flags, _ := domain.ParseKeyChildFlags([]string{"poor_guardianship"})
	sex, _ := domain.ParseSex("female")
	register := func(name, place string, key bool) string {
		c := domain.ChildRegistered{Name: name, BirthDate: domain.NewDate(2014, 3, 3), Sex: sex, Jurisdiction: jur(t, place),
			Categories: leftBehind, Guardian: domain.Guardian{Name: "祖父" + name, Relation: "grandfather"}}
		if key {
			c.KeyChildFlags = flags
		}
		res, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: c})
		must(err)
		return res.ID
	}
	old := register("小红", "370902101201", false) // a verification series over years
	setClock(time.Date(2025, 3, 1, 9, 0, 0, 0, domain.ChinaStandardTime))
	_, err = h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: old, OccurredAt: clock.Add(-9 * 24 * time.Hour), Findings: "在家"})
	ok(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director.ID, Passed: true, CompletedOn: domain.NewDate(2025, 2, 28)})
	must(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: supervisor.ID, Passed: true, CompletedOn: domain.NewDate(2025, 2, 28)})
	must(err)

	base := now.Add(-60 * 24 * time.Hour)
	setClock(base)
	key := register("小明", "370902101201", true)
	mover := register("小刚", "370902101202", false)
	children := []string{old, key, mover}

	rng := rand.New(rand.NewPCG(seed, 7))
	src, _ := domain.ParseSource("hotline_12355")
	rt, _ := domain.ParseReporterType("neighbour")
	education, _ := domain.ParseAgency("education")
	service, _ := domain.ParseService("return_to_school")
	ground, _ := domain.ParseGround("guardian_missing")
	placement, _ := domain.ParsePlacement("kin")
	outcome, _ := domain.ParseGuardianshipOutcome("returned_to_family")
	returned, _ := domain.ParseClosureReason("returned_to_family")
	resolved, _ := domain.ParseClosureReason("resolved")
	concernSets := [][]string{{"neglect"}, {"dropout"}, {"living_alone", "dropout"}, {"illness"}, {"abuse", "neglect"}}
	risks := []domain.Risk{domain.RiskHigh, domain.RiskMedium, domain.RiskLow}
	hours := func(n int) time.Duration { return time.Duration(n) * time.Hour }

	// oneCase receives a report at received and acts on it from there.
	oneCase := func(received time.Time) string {
		concerns, _ := domain.ParseConcerns(concernSets[rng.IntN(len(concernSets))])
		setClock(received)
		res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: children[rng.IntN(len(children))], Source: src,
			Reporter: domain.Reporter{Type: rt}, Concerns: concerns, Risk: risks[rng.IntN(len(risks))], ReceivedAt: received, Summary: "来电"})
		must(err)
		id := res.ID
		at := received
		step := func() time.Time {
			at = at.Add(hours(1 + rng.IntN(60)))
			if at.After(now) {
				at = now
			}
			setClock(at)
			return at
		}
		var referrals []string
		for range 3 + rng.IntN(8) {
			switch rng.IntN(12) {
			case 0:
				_, err = h.ForwardToPolice(ctx, call, commands.ForwardToPolice{CaseID: id, OccurredAt: step(), PoliceUnit: "城区派出所"})
			case 1:
				_, err = h.RecordEmergencyResponse(ctx, call, commands.RecordEmergencyResponse{CaseID: id, OccurredAt: step(), Action: "送至亲属家"})
			case 2, 3:
				step()
				_, err = h.AssignCase(ctx, call, commands.AssignCase{CaseID: id, WorkerID: cw.ID})
			case 4:
				g := ""
				if rng.IntN(2) == 0 {
					g = "监护人无法履责"
				}
				_, err = h.CompleteAssessment(ctx, call, commands.CompleteAssessment{CaseID: id, OccurredAt: step(),
					Risk: risks[rng.IntN(len(risks))], Needs: []string{"心理支持"}, GuardianshipAssessment: g})
			case 5:
				_, err = h.StartTemporaryGuardianship(ctx, call, commands.StartTemporaryGuardianship{CaseID: id, OccurredAt: step(), Ground: ground, Placement: placement})
			case 6:
				_, err = h.EndTemporaryGuardianship(ctx, call, commands.EndTemporaryGuardianship{CaseID: id, OccurredAt: step(), Outcome: outcome})
			case 7:
				step()
				var r commands.Result
				r, err = h.MakeReferral(ctx, call, commands.MakeReferral{CaseID: id, Agency: education, Service: service})
				if err == nil {
					referrals = append(referrals, r.ReferralID)
				}
			case 8:
				if len(referrals) > 0 {
					r := referrals[rng.IntN(len(referrals))]
					if rng.IntN(2) == 0 {
						_, err = h.AcceptReferral(ctx, call, commands.AcceptReferral{CaseID: id, ReferralID: r, OccurredAt: step()})
					} else {
						_, err = h.CompleteReferral(ctx, call, commands.CompleteReferral{CaseID: id, ReferralID: r, OccurredAt: step()})
					}
				}
			case 9:
				_, err = h.RecordFollowUp(ctx, call, commands.RecordFollowUp{CaseID: id, OccurredAt: step(), Note: "回访"})
			case 10:
				reason := resolved
				if rng.IntN(2) == 0 {
					reason = returned
				}
				_, err = h.CloseCase(ctx, call, commands.CloseCase{CaseID: id, OccurredAt: step(), Reason: reason})
			case 11:
				step()
				_, err = h.ReopenCase(ctx, call, commands.ReopenCase{CaseID: id, Reason: "复查"})
			}
			ok(err)
			err = nil
		}
		return id
	}

	var cases []string
	for i := range 10 {
		cases = append(cases, oneCase(base.Add(time.Duration(i)*4*24*time.Hour+hours(i))))
	}
	// A case closed at once: the police report was due, the rest was not.
	neglect, _ := domain.ParseConcerns([]string{"neglect"})
	setClock(base.Add(hours(3)))
	res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: key, Source: src, Reporter: domain.Reporter{Type: rt},
		Concerns: neglect, Risk: domain.RiskLow, ReceivedAt: base.Add(hours(3)), Summary: "来电"})
	must(err)
	setClock(base.Add(hours(5)))
	_, err = h.CloseCase(ctx, call, commands.CloseCase{CaseID: res.ID, OccurredAt: base.Add(hours(5)), Reason: resolved})
	must(err)

	for i, c := range children {
		setClock(base.Add(time.Duration(10+i) * 24 * time.Hour))
		_, err = h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: c, OccurredAt: clock.Add(-hours(2)), Findings: "在家"})
		ok(err)
	}
	setClock(base.Add(30 * 24 * time.Hour))
	moved := jur(t, "370902101201")
	_, err = h.UpdateChildProfile(ctx, call, commands.UpdateChildProfile{ChildID: mover, Update: domain.ChildProfileUpdated{Jurisdiction: &moved}})
	ok(err)

	// The policy changes: shorter clocks and another verification day.
	setClock(policyChangedAt)
	p := domain.DefaultPolicy()
	p.FirstResponse = domain.RiskDurations{High: domain.Hours(12), Medium: domain.Hours(48), Low: domain.Days(3)}
	p.Assessment = domain.Days(3)
	p.ReferralAnswer = domain.Days(2)
	p.KeyChildVisit = domain.Days(14)
	p.InfoVerification = domain.MonthDay{Month: time.June, Day: 15}
	_, err = h.ChangePolicy(ctx, admin, commands.ChangePolicy{Policy: p})
	must(err)

	for i := range 5 {
		cases = append(cases, oneCase(policyChangedAt.Add(time.Duration(i)*3*24*time.Hour+hours(2*i+1))))
	}
	setClock(now.Add(-3 * 24 * time.Hour))
	_, err = h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: key, OccurredAt: clock, Findings: "复访"})
	ok(err)
	setClock(now)
	_ = cases
}

// deadlineRow is what the deadline oracle compares.
type deadlineRow struct {
	Key, Kind, Subject, CaseID, Referral, Jurisdiction, Owner, Status string
	Started, Due, Met                                                 string
	PolicyVersion                                                     int64
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// deadlinesFromReadModel reads rm_deadlines as stored.
func deadlinesFromReadModel(t *testing.T, b backend) []deadlineRow {
	rows, err := projections.QueryDeadlines(context.Background(), b.db, b.dialect, projections.DeadlineFilter{
		Now: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 1000}) // so far back that rows read as stored
	require.NoError(t, err)
	var out []deadlineRow
	for _, r := range rows {
		met := ""
		if r.MetAt != nil {
			met = fmtTime(*r.MetAt)
		}
		out = append(out, deadlineRow{Key: r.Key, Kind: r.Kind, Subject: r.SubjectID, CaseID: r.CaseID, Referral: r.ReferralID,
			Jurisdiction: r.Jurisdiction, Owner: r.Owner, Status: r.Status, Started: fmtTime(r.StartedAt), Due: fmtTime(r.DueAt),
			Met: met, PolicyVersion: r.PolicyVersion})
	}
	return out
}

// deadlinesFromEvents calls the domain's clocks on every stream, at the
// stream's latest business time.
func deadlinesFromEvents(t *testing.T, store eventstore.Store) []deadlineRow {
	ctx := context.Background()
	reg := domain.NewRegistry()
	all, err := store.ReadLog(ctx, 0, 0)
	require.NoError(t, err)
	streams := map[string][]eventstore.Event{}
	for _, e := range all {
		streams[e.StreamID] = append(streams[e.StreamID], e)
	}
	policyEvents, err := commands.DecodeEvents(reg, streams[domain.PolicyStream])
	require.NoError(t, err)
	policies := domain.LoadPolicyHistory(policyEvents)
	var out []deadlineRow
	for _, stored := range streams {
		history, err := commands.DecodeEvents(reg, stored)
		require.NoError(t, err)
		var horizon time.Time
		for _, r := range history {
			if r.OccurredAt.After(horizon) {
				horizon = r.OccurredAt
			}
		}
		var ds []domain.Deadline
		var place string
		switch stored[0].StreamType {
		case domain.StreamCase:
			ds, place = domain.CaseDeadlines(history, policies, horizon), domain.LoadCase(domain.ChildFacts{}, history).Jurisdiction().String()
		case domain.StreamChild:
			ds, place = domain.ChildDeadlines(history, policies, horizon), domain.LoadChild(history).Jurisdiction().String()
		case domain.StreamWorker:
			ds, place = domain.WorkerDeadlines(history, policies, horizon), domain.LoadWorker(history).Jurisdiction().String()
		default:
			continue
		}
		for i, d := range ds {
			met := ""
			if d.MetAt != nil {
				met = fmtTime(*d.MetAt)
			}
			out = append(out, deadlineRow{Key: projections.DeadlineKeys(ds)[i], Kind: d.Kind.String(), Subject: d.SubjectID, CaseID: d.CaseID,
				Referral: d.ReferralID, Jurisdiction: place, Owner: d.Owner, Status: d.Status.String(), Started: fmtTime(d.StartedAt),
				Due: fmtTime(d.DueAt), Met: met, PolicyVersion: d.PolicyVersion})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// TestDeadlineViewOracle: while the workload runs, the view follows in
// small batches; it then equals the domain's clocks called on each stream,
// and so does a rebuild from scratch in one batch. The workload covers
// every kind and status, the policy change and closure discharge.
func TestDeadlineViewOracle(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		e := projections.New(b.store, b.db, b.dialect, projections.Options{Batch: 7, Poll: 2 * time.Millisecond}, projections.NewDeadlines(b.store))
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		clockWorkload(t, b.store, 11)
		waitHead(t, e, b.store)
		cancel()
		require.NoError(t, <-done)

		want := deadlinesFromEvents(t, b.store)
		require.NotEmpty(t, want)
		assert.Equal(t, want, deadlinesFromReadModel(t, b))

		kinds, statuses := map[string]bool{}, map[string]bool{}
		newPolicy := false
		for _, r := range want {
			kinds[r.Kind], statuses[r.Status] = true, true
			newPolicy = newPolicy || r.PolicyVersion > 0
		}
		for _, k := range []string{"police_report", "first_response", "assignment", "assessment", "referral_answer", "visit", "info_verification", "training"} {
			assert.True(t, kinds[k], "workload makes a %s deadline", k)
		}
		for _, s := range []string{"open", "met", "met_late", "missed"} {
			assert.True(t, statuses[s], "workload makes a %s deadline", s)
		}
		assert.True(t, newPolicy, "some deadline is judged by the changed policy")

		rebuildFromScratch(t, b, projections.NewDeadlines(b.store))
		assert.Equal(t, want, deadlinesFromReadModel(t, b))
	})
}

// TestDeadlineOwnerFollowsAssignment: an open obligation of an assigned
// case is the assignee's, not the receiving center's.
func TestDeadlineOwnerFollowsAssignment(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		h := commands.New(b.store, commands.WithClock(func() time.Time { return now }))
		cw, childID := caseworkerAndChild(t, h)
		call := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: cw, Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")}}}
		dropout, _ := domain.ParseConcerns([]string{"dropout"})
		src, _ := domain.ParseSource("walk_in")
		walkIn, _ := domain.ParseReporterType("child_self")
		res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: childID, Source: src, Reporter: domain.Reporter{Type: walkIn},
			Concerns: dropout, Risk: domain.RiskLow, ReceivedAt: now.Add(-time.Hour), Summary: "到访"})
		require.NoError(t, err)
		_, err = h.AssignCase(ctx, call, commands.AssignCase{CaseID: res.ID, WorkerID: cw})
		require.NoError(t, err)

		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.NewDeadlines(b.store))
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		rows, err := projections.QueryDeadlines(ctx, b.db, b.dialect, projections.DeadlineFilter{Now: now, Owner: cw})
		require.NoError(t, err)
		var kinds []string
		for _, r := range rows {
			kinds = append(kinds, r.Kind)
			assert.Equal(t, "open", r.Status)
		}
		assert.ElementsMatch(t, []string{"first_response", "assessment"}, kinds)
	})
}

func caseworkerAndChild(t *testing.T, h *commands.Handlers) (worker, child string) {
	ctx := context.Background()
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	cw, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")})
	require.NoError(t, err)
	call := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: cw.ID, Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")}}}
	cats, _ := domain.ParseCategories([]string{"left_behind"})
	sex, _ := domain.ParseSex("male")
	c, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: domain.ChildRegistered{Name: "小明", BirthDate: domain.NewDate(2015, 1, 1),
		Sex: sex, Jurisdiction: jur(t, "370902101201"), Categories: cats, Guardian: domain.Guardian{Name: "张三", Relation: "grandfather"}}})
	require.NoError(t, err)
	return cw.ID, c.ID
}

// TestSweepMissed: an open obligation due before now turns missed, one due
// after stays open; queries judge the same with or without the sweep, and
// their filters select.
func TestSweepMissed(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clockWorkload(t, b.store, 12)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.NewDeadlines(b.store))
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))

		// A moment by which some open obligations have fallen due and
		// others not.
		stored := deadlinesFromReadModel(t, b)
		var open []deadlineRow
		for _, r := range stored {
			if r.Status == "open" {
				open = append(open, r)
			}
		}
		sort.Slice(open, func(i, j int) bool { return open[i].Due < open[j].Due })
		require.GreaterOrEqual(t, len(open), 2)
		cut, err := time.Parse(time.RFC3339Nano, open[len(open)/2].Due)
		require.NoError(t, err)
		cut = cut.Add(time.Second)
		var dueBefore, dueAfter []string
		for _, r := range open {
			if due, _ := time.Parse(time.RFC3339Nano, r.Due); due.Before(cut) {
				dueBefore = append(dueBefore, r.Key)
			} else {
				dueAfter = append(dueAfter, r.Key)
			}
		}
		require.NotEmpty(t, dueBefore)
		require.NotEmpty(t, dueAfter)

		query := func(f projections.DeadlineFilter) []projections.DeadlineRow {
			f.Now, f.Limit = cut, 1000
			rows, err := projections.QueryDeadlines(ctx, b.db, b.dialect, f)
			require.NoError(t, err)
			return rows
		}
		keys := func(rows []projections.DeadlineRow) []string {
			var out []string
			for _, r := range rows {
				out = append(out, r.Key)
			}
			return out
		}
		beforeSweep := query(projections.DeadlineFilter{})
		missedBefore := keys(query(projections.DeadlineFilter{Status: "missed"}))
		for _, k := range dueBefore {
			assert.Contains(t, missedBefore, k, "an overdue open row reads missed before the sweep")
		}

		n, err := projections.SweepMissed(ctx, b.db, b.dialect, cut)
		require.NoError(t, err)
		assert.Equal(t, int64(len(dueBefore)), n)
		status := map[string]string{}
		rows, err := b.db.Query(`SELECT deadline_key, status FROM rm_deadlines`)
		require.NoError(t, err)
		for rows.Next() {
			var k, s string
			require.NoError(t, rows.Scan(&k, &s))
			status[k] = s
		}
		require.NoError(t, rows.Close())
		for _, k := range dueBefore {
			assert.Equal(t, "missed", status[k], k)
		}
		for _, k := range dueAfter {
			assert.Equal(t, "open", status[k], k)
		}
		again, err := projections.SweepMissed(ctx, b.db, b.dialect, cut)
		require.NoError(t, err)
		assert.Zero(t, again, "a second sweep changes nothing")
		assert.Equal(t, beforeSweep, query(projections.DeadlineFilter{}), "the sweep changes no answer")

		// Filters.
		all := query(projections.DeadlineFilter{})
		for _, s := range []string{"open", "met", "met_late", "missed"} {
			var want []string
			for _, r := range all {
				if r.Status == s {
					want = append(want, r.Key)
				}
			}
			assert.Equal(t, want, keys(query(projections.DeadlineFilter{Status: s})), s)
		}
		byOwner := map[string][]string{}
		var village, county, early []string
		for _, r := range all {
			byOwner[r.Owner] = append(byOwner[r.Owner], r.Key)
			if strings.HasPrefix(r.Jurisdiction, "370902101202") {
				village = append(village, r.Key)
			}
			if strings.HasPrefix(r.Jurisdiction, "370902") {
				county = append(county, r.Key)
			}
			if r.DueAt.Before(policyChangedAt) {
				early = append(early, r.Key)
			}
		}
		require.Greater(t, len(byOwner), 2)
		for owner, want := range byOwner {
			assert.Equal(t, want, keys(query(projections.DeadlineFilter{Owner: owner})), owner)
		}
		assert.Equal(t, county, keys(query(projections.DeadlineFilter{JurisdictionPrefix: "370902"})))
		assert.Len(t, county, len(all))
		assert.Equal(t, village, keys(query(projections.DeadlineFilter{JurisdictionPrefix: "370902101202"})))
		assert.Empty(t, query(projections.DeadlineFilter{JurisdictionPrefix: "3709021019"}))
		require.NotEmpty(t, early)
		assert.Equal(t, early, keys(query(projections.DeadlineFilter{DueBefore: policyChangedAt})))

		// Pages: a cursor walks the same rows.
		var paged []string
		after := ""
		for {
			page := query(projections.DeadlineFilter{Status: "missed", After: after})
			if len(page) > 3 {
				page = page[:3]
			}
			rows, err := projections.QueryDeadlines(ctx, b.db, b.dialect, projections.DeadlineFilter{Status: "missed", Now: cut, Limit: 3, After: after})
			require.NoError(t, err)
			assert.Equal(t, page, rows)
			if len(rows) == 0 {
				break
			}
			paged = append(paged, keys(rows)...)
			after = rows[len(rows)-1].Key
		}
		assert.Equal(t, keys(query(projections.DeadlineFilter{Status: "missed"})), paged)

		_, err = projections.QueryDeadlines(ctx, b.db, b.dialect, projections.DeadlineFilter{Status: "late"})
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
}
