package caseview_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// seed is what seedCases made: ids, and every piece of personal data or
// free text it typed in (which no table of the view may hold).
type seed struct {
	// ChildA and ChildB live in county 370902, ChildC in 370102.
	ChildA, ChildB, ChildC string
	// CaseA1 runs its whole course and closes, CaseA2 stays open and
	// unassigned; CaseB is declined a referral, closed and reopened; CaseC
	// is in temporary guardianship with worker 2.
	CaseA1, CaseA2, CaseB, CaseC string
	// Caseworker1 works in 370902, Caseworker2 in 370102.
	Caseworker1, Caseworker2 string
	Sensitive                []string
}

// parsed is the value of a parse of a constant that cannot fail.
func parsed[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// seedCases drives a few cases of three children in two counties through
// every step a case view shows, with two caseworkers, and keeps what it
// typed that is personal or free text.
func seedCases(t *testing.T, store eventstore.Store) seed {
	ctx := context.Background()
	now := enginetest.Now
	h := commands.New(store, commands.WithClock(func() time.Time { return now }))
	var s seed
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	worker := func(name, j string) (string, commands.Call) {
		res, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: name, Role: domain.RoleCaseworker, Jurisdiction: enginetest.Jur(t, j)})
		require.NoError(t, err)
		s.Sensitive = append(s.Sensitive, name)
		return res.ID, commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: res.ID, Role: domain.RoleCaseworker, Jurisdiction: enginetest.Jur(t, j)}}}
	}
	var cw1, cw2 commands.Call
	s.Caseworker1, cw1 = worker("周社工甲", "370902")
	s.Caseworker2, cw2 = worker("吴社工乙", "370102")
	child := func(call commands.Call, name, place, guardian, phone string) string {
		res, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: domain.ChildRegistered{
			Name: name, BirthDate: domain.NewDate(2014, 3, 15), Sex: parsed(domain.ParseSex("female")),
			Jurisdiction: enginetest.Jur(t, place), Categories: parsed(domain.ParseCategories([]string{"left_behind"})),
			Guardian: domain.Guardian{Name: guardian, Relation: "祖父", Phone: phone}, LivingSituation: "与祖母同住甲乙"}})
		require.NoError(t, err)
		s.Sensitive = append(s.Sensitive, name, guardian, phone)
		return res.ID
	}
	s.ChildA = child(cw1, "李小红", "370902101201", "李大山", "13800138000")
	s.ChildB = child(cw1, "王小刚", "370902102301", "王建国", "13900139000")
	s.ChildC = child(cw2, "赵小花", "370102001001", "赵奶奶", "13700137000")

	report := func(call commands.Call, child string, concerns []string, risk domain.Risk, received time.Time, reporter, phone, summary string) string {
		res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: child,
			Source:   parsed(domain.ParseSource("hotline_12355")),
			Reporter: domain.Reporter{Type: parsed(domain.ParseReporterType("neighbour")), Name: reporter, Phone: phone},
			Concerns: parsed(domain.ParseConcerns(concerns)), Risk: risk, ReceivedAt: received, Summary: summary})
		require.NoError(t, err)
		s.Sensitive = append(s.Sensitive, reporter, phone, summary)
		return res.ID
	}
	ok := func(_ commands.Result, err error) { t.Helper(); require.NoError(t, err) }
	note := func(texts ...string) { s.Sensitive = append(s.Sensitive, texts...) }

	s.CaseA1 = report(cw1, s.ChildA, []string{"living_alone", "neglect"}, domain.RiskHigh, now.Add(-36*time.Hour), "钱阿姨", "13600136000", "邻居说孩子一连三天没人管子午")
	at := now.Add(-35 * time.Hour)
	ok(h.ForwardToPolice(ctx, cw1, commands.ForwardToPolice{CaseID: s.CaseA1, OccurredAt: at, PoliceUnit: "城关派出所卯酉", Reference: "JJ2026-0099"}))
	ok(h.AssignCase(ctx, cw1, commands.AssignCase{CaseID: s.CaseA1, WorkerID: s.Caseworker1}))
	ok(h.RecordEmergencyResponse(ctx, cw1, commands.RecordEmergencyResponse{CaseID: s.CaseA1, OccurredAt: at.Add(time.Hour), Action: "送往姑姑家暂住辰戌", Note: "姑姑电话13400134000"}))
	ok(h.CompleteAssessment(ctx, cw1, commands.CompleteAssessment{CaseID: s.CaseA1, OccurredAt: at.Add(2 * time.Hour), Risk: domain.RiskMedium,
		Needs: []string{"陪伴丑未"}, GuardianshipAssessment: "祖母体弱丑未"}))
	ref, err := h.MakeReferral(ctx, cw1, commands.MakeReferral{CaseID: s.CaseA1, Agency: parsed(domain.ParseAgency("education")),
		Service: parsed(domain.ParseService("return_to_school")), Note: "班主任张老师巳亥"})
	require.NoError(t, err)
	ok(h.AcceptReferral(ctx, cw1, commands.AcceptReferral{CaseID: s.CaseA1, ReferralID: ref.ReferralID, Note: "已联系甲子"}))
	ok(h.StartTemporaryGuardianship(ctx, cw1, commands.StartTemporaryGuardianship{CaseID: s.CaseA1, OccurredAt: at.Add(5 * time.Hour),
		Ground: parsed(domain.ParseGround("guardian_missing")), Placement: parsed(domain.ParsePlacement("kin"))}))
	ok(h.RecordFollowUp(ctx, cw1, commands.RecordFollowUp{CaseID: s.CaseA1, OccurredAt: at.Add(7 * time.Hour), Note: "孩子情绪稳定丁卯"}))
	ok(h.EndTemporaryGuardianship(ctx, cw1, commands.EndTemporaryGuardianship{CaseID: s.CaseA1, OccurredAt: at.Add(8 * time.Hour),
		Outcome: parsed(domain.ParseGuardianshipOutcome("returned_to_family"))}))
	ok(h.CompleteReferral(ctx, cw1, commands.CompleteReferral{CaseID: s.CaseA1, ReferralID: ref.ReferralID, Note: "已返校己巳"}))
	ok(h.DeclareMajorIncident(ctx, cw1, commands.DeclareMajorIncident{CaseID: s.CaseA1, OccurredAt: now, Description: "孩子曾走失庚午"}))
	ok(h.CloseCase(ctx, cw1, commands.CloseCase{CaseID: s.CaseA1, OccurredAt: now, Reason: parsed(domain.ParseClosureReason("resolved"))}))
	note("城关派出所卯酉", "JJ2026-0099", "送往姑姑家暂住辰戌", "姑姑电话13400134000", "陪伴丑未", "祖母体弱丑未", "班主任张老师巳亥",
		"已联系甲子", "孩子情绪稳定丁卯", "已返校己巳", "孩子曾走失庚午")

	s.CaseA2 = report(cw1, s.ChildA, []string{"dropout"}, domain.RiskMedium, now.Add(-30*time.Hour), "", "", "学校反映多日未到校辛未")

	s.CaseB = report(cw1, s.ChildB, []string{"illness"}, domain.RiskLow, now.Add(-20*time.Hour), "孙先生", "13300133000", "孩子生病无人照顾壬申")
	ok(h.AssignCase(ctx, cw1, commands.AssignCase{CaseID: s.CaseB, WorkerID: s.Caseworker1}))
	refB, err := h.MakeReferral(ctx, cw1, commands.MakeReferral{CaseID: s.CaseB, Agency: parsed(domain.ParseAgency("health")),
		Service: parsed(domain.ParseService("medical_care")), Note: "需住院治疗甲寅"})
	require.NoError(t, err)
	ok(h.DeclineReferral(ctx, cw1, commands.DeclineReferral{CaseID: s.CaseB, ReferralID: refB.ReferralID, Reason: "床位已满乙亥"}))
	ok(h.CloseCase(ctx, cw1, commands.CloseCase{CaseID: s.CaseB, OccurredAt: now, Reason: parsed(domain.ParseClosureReason("unfounded"))}))
	ok(h.ReopenCase(ctx, cw1, commands.ReopenCase{CaseID: s.CaseB, Reason: "情况有新变化丙子"}))
	note("需住院治疗甲寅", "床位已满乙亥", "情况有新变化丙子")

	s.CaseC = report(cw2, s.ChildC, []string{"missing"}, domain.RiskHigh, now.Add(-10*time.Hour), "", "", "孩子走失癸酉")
	ok(h.AssignCase(ctx, cw2, commands.AssignCase{CaseID: s.CaseC, WorkerID: s.Caseworker2}))
	ok(h.StartTemporaryGuardianship(ctx, cw2, commands.StartTemporaryGuardianship{CaseID: s.CaseC, OccurredAt: now.Add(-time.Hour),
		Ground: parsed(domain.ParseGround("street_or_unidentified")), Placement: parsed(domain.ParsePlacement("center"))}))
	return s
}
