package deadlines_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// policyChangedAt is when clockWorkload's admin shortens the clocks: after
// the business time of some acts recorded before it, so that streams not
// touched again still change.
var policyChangedAt = enginetest.Now.Add(-20 * 24 * time.Hour)

// clockWorkload drives, on a clock it moves through the past, what the
// deadline and statistics views need: workers with trainings, children
// with visits and a move, cases with police reports, responses,
// assignments, assessments, guardianship, referrals and their answers,
// closures (some discharging obligations not yet due), follow-ups after
// return home and reopenings, and a change of the deadline policy.
func clockWorkload(t *testing.T, store eventstore.Store, seed uint64) {
	ctx := context.Background()
	var mu sync.Mutex
	clock := enginetest.Now
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
	cw, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: enginetest.Jur(t, "370902")})
	must(err)
	director, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "李娟", Role: domain.RoleChildDirector, Jurisdiction: enginetest.Jur(t, "370902101201")})
	must(err)
	supervisor, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "赵强", Role: domain.RoleChildSupervisor, Jurisdiction: enginetest.Jur(t, "370902101")})
	must(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director.ID, Passed: true, CompletedOn: domain.NewDate(2024, 5, 20)})
	must(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: supervisor.ID, Passed: true, CompletedOn: domain.NewDate(2023, 3, 1)})
	must(err)
	call := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: cw.ID, Role: domain.RoleCaseworker, Jurisdiction: enginetest.Jur(t, "370902")}}}

	leftBehind, _ := domain.ParseCategories([]string{"left_behind"})
	flags, _ := domain.ParseKeyChildFlags([]string{"poor_guardianship"})
	sex, _ := domain.ParseSex("female")
	register := func(name, place string, key bool) string {
		c := domain.ChildRegistered{Name: name, BirthDate: domain.NewDate(2014, 3, 3), Sex: sex, Jurisdiction: enginetest.Jur(t, place),
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

	base := enginetest.Now.Add(-60 * 24 * time.Hour)
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
			if at.After(enginetest.Now) {
				at = enginetest.Now
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
				r, err = h.MakeReferral(ctx, call, commands.MakeReferral{CaseID: id, Agency: education, Service: service, Note: "返校"})
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
	moved := enginetest.Jur(t, "370902101201")
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
	setClock(enginetest.Now.Add(-3 * 24 * time.Hour))
	_, err = h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: key, OccurredAt: clock, Findings: "复访"})
	ok(err)
	setClock(enginetest.Now)
	_ = cases
}
