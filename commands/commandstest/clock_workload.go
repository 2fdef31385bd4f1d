package commandstest

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
)

// ClockWorkload drives, on a clock it moves through the past up to now,
// what the deadline and statistics views need: workers with trainings,
// children with visits and a move, cases with police reports, responses,
// assignments, assessments, guardianship, referrals and their answers,
// closures (some discharging obligations not yet due), follow-ups after
// return home and reopenings, and a change of the deadline policy. Its
// random choices follow seed. It begins in June 2024, so now should lie
// well after March 2025; it returns when the policy changed: twenty days
// before now, after the business time of some acts recorded before it, so
// that streams not touched again still change.
func ClockWorkload(t testing.TB, store eventstore.Store, now time.Time, seed uint64) (policyChangedAt time.Time) {
	ctx := context.Background()
	var mu sync.Mutex
	clock := now
	setClock := func(at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		clock = at
	}
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
	jur := func(code string) domain.Jurisdiction { return Must(domain.ParseJurisdiction(code)) }

	setClock(time.Date(2024, 6, 1, 10, 0, 0, 0, domain.ChinaStandardTime))
	c := NewCounty(t, store, commands.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }))
	h, admin, call := c.Handlers, c.Admin, c.Caseworker
	director, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "李娟", Role: domain.RoleChildDirector, Jurisdiction: jur("370902101201")})
	must(err)
	supervisor, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "赵强", Role: domain.RoleChildSupervisor, Jurisdiction: jur("370902101")})
	must(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director.ID, Passed: true, CompletedOn: domain.NewDate(2024, 5, 20)})
	must(err)
	_, err = h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: supervisor.ID, Passed: true, CompletedOn: domain.NewDate(2023, 3, 1)})
	must(err)

	categories := leftBehind()
	flags := Must(domain.ParseKeyChildFlags([]string{"poor_guardianship"}))
	female := Must(domain.ParseSex("female"))
	register := func(name, place string, key bool) string {
		child := domain.ChildRegistered{Name: name, BirthDate: domain.NewDate(2014, 3, 3), Sex: female, Jurisdiction: jur(place),
			Categories: categories, Guardian: domain.Guardian{Name: "祖父" + name, Relation: "grandfather"}}
		if key {
			child.KeyChildFlags = flags
		}
		res, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: child})
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
	returned := Must(domain.ParseClosureReason("returned_to_family"))
	concernSets := [][]string{{"neglect"}, {"dropout"}, {"living_alone", "dropout"}, {"illness"}, {"abuse", "neglect"}}
	risks := []domain.Risk{domain.RiskHigh, domain.RiskMedium, domain.RiskLow}
	hours := func(n int) time.Duration { return time.Duration(n) * time.Hour }

	// oneCase receives a report at received and acts on it from there.
	oneCase := func(received time.Time) {
		concerns := concernSets[rng.IntN(len(concernSets))]
		setClock(received)
		id := c.Report(t, children[rng.IntN(len(children))], received, risks[rng.IntN(len(risks))], "来电", concerns...)
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
			var err error
			switch rng.IntN(12) {
			case 0:
				err = c.forwardToPolice(ctx, id, step())
			case 1:
				err = c.respond(ctx, id, step())
			case 2, 3:
				step()
				err = c.assign(ctx, id)
			case 4:
				g := ""
				if rng.IntN(2) == 0 {
					g = "监护人无法履责"
				}
				at := step()
				err = c.assess(ctx, id, at, risks[rng.IntN(len(risks))], g)
			case 5:
				err = c.startGuardianship(ctx, id, step())
			case 6:
				err = c.endGuardianship(ctx, id, step())
			case 7:
				step()
				var referral string
				if referral, err = c.refer(ctx, id); err == nil {
					referrals = append(referrals, referral)
				}
			case 8:
				if len(referrals) > 0 {
					r := referrals[rng.IntN(len(referrals))]
					if rng.IntN(2) == 0 {
						err = c.acceptReferral(ctx, id, r, step())
					} else {
						err = c.completeReferral(ctx, id, r, step())
					}
				}
			case 9:
				err = c.followUp(ctx, id, step())
			case 10:
				reason := resolved
				if rng.IntN(2) == 0 {
					reason = returned
				}
				err = c.close(ctx, id, step(), reason)
			case 11:
				step()
				err = c.reopen(ctx, id)
			}
			ok(err)
		}
	}

	for i := range 10 {
		oneCase(base.Add(time.Duration(i)*4*24*time.Hour + hours(i)))
	}
	// A case closed at once: the police report was due, the rest was not.
	setClock(base.Add(hours(3)))
	closed := c.Report(t, key, base.Add(hours(3)), domain.RiskLow, "来电", "neglect")
	setClock(base.Add(hours(5)))
	must(c.close(ctx, closed, base.Add(hours(5)), resolved))

	for i, child := range children {
		setClock(base.Add(time.Duration(10+i) * 24 * time.Hour))
		_, err = h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: child, OccurredAt: clock.Add(-hours(2)), Findings: "在家"})
		ok(err)
	}
	// Visits that find a child living alone: one reported two hours later
	// (report_after_visit met late), one after that case was closed never
	// reported. A major incident on the case closed at once, answered by an
	// inquiry into its child on the third day; another one, on the case of
	// the child found alone, never answered.
	dirCall := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: director.ID, Role: domain.RoleChildDirector, Jurisdiction: jur("370902101201")}}}
	inspector := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "insp-1", Role: domain.RoleInspector, Jurisdiction: jur("370902")}}}
	alone := []domain.Concern{Must(domain.ParseConcern("living_alone"))}
	setClock(base.Add(11 * 24 * time.Hour))
	lone := register("小芳", "370902101201", false)
	found := base.Add(12 * 24 * time.Hour)
	setClock(found)
	_, err = h.RecordVisit(ctx, dirCall, commands.RecordVisit{ChildID: lone, OccurredAt: found, Findings: "独自在家", Concerns: alone})
	must(err)
	setClock(found.Add(hours(2)))
	loneCase, err := c.report(ctx, lone, found.Add(hours(2)), domain.RiskHigh, "独自在家", alone)
	must(err)
	setClock(found.Add(hours(30)))
	must(c.close(ctx, loneCase, found.Add(hours(30)), resolved))
	setClock(base.Add(20 * 24 * time.Hour))
	_, err = h.DeclareMajorIncident(ctx, call, commands.DeclareMajorIncident{CaseID: loneCase, OccurredAt: clock, Description: "儿童受伤"})
	must(err)
	setClock(base.Add(25 * 24 * time.Hour))
	_, err = h.RecordVisit(ctx, dirCall, commands.RecordVisit{ChildID: lone, OccurredAt: clock, Findings: "又独自在家", Concerns: alone})
	must(err)
	setClock(base.Add(6 * 24 * time.Hour))
	_, err = h.DeclareMajorIncident(ctx, call, commands.DeclareMajorIncident{CaseID: closed, OccurredAt: clock, Description: "儿童走失"})
	must(err)
	setClock(base.Add(9 * 24 * time.Hour))
	_, err = h.OpenInquiry(ctx, inspector, commands.OpenInquiry{ChildID: key, IncidentAt: base.Add(6 * 24 * time.Hour), Reason: "儿童走失"})
	must(err)

	setClock(base.Add(30 * 24 * time.Hour))
	moved := jur("370902101201")
	_, err = h.UpdateChildProfile(ctx, call, commands.UpdateChildProfile{ChildID: mover, Update: domain.ChildProfileUpdated{Jurisdiction: &moved}})
	ok(err)

	// The policy changes: shorter clocks and another verification day.
	policyChangedAt = now.Add(-20 * 24 * time.Hour)
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
		oneCase(policyChangedAt.Add(time.Duration(i)*3*24*time.Hour + hours(2*i+1)))
	}
	setClock(now.Add(-3 * 24 * time.Hour))
	_, err = h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: key, OccurredAt: clock, Findings: "复访"})
	ok(err)
	setClock(now)
	return policyChangedAt
}
