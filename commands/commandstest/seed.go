package commandstest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// Seed is what SeedTwoCounties recorded: the ids of what it made, the
// moments tests check against, and every piece of personal data or free
// text it typed in, which no read model may hold.
type Seed struct {
	// Handlers are those the seed used; their clock stays at its now.
	Handlers *commands.Handlers
	Admin    commands.Call
	// Caseworker1 (王芳) works in county 370902, Caseworker2 in 370102;
	// the calls are theirs.
	Caseworker1, Caseworker2         string
	Caseworker1Call, Caseworker2Call commands.Call
	// ChildA, of village 370902101201, is a key child, visited (once late),
	// entrusted and corrected, with cases A1 and A2; ChildB, of village
	// 370902100201, is renamed, visited, has case B and is erased last;
	// ChildC lives in the other county, 370102, and has case C.
	ChildA, ChildB, ChildC string
	// CaseA1 runs its whole course and closes; CaseA2 stays open and
	// unassigned; CaseB is declined a referral, closed and reopened; CaseC
	// is in temporary guardianship with Caseworker2. They were received 36,
	// 30, 20 and 10 hours before now.
	CaseA1, CaseA2, CaseB, CaseC string
	// LatestVisitA is the business time of A's last visit; LateVisitA that
	// of a visit entered after it, with an earlier business time.
	LatestVisitA, LateVisitA time.Time
	Sensitive                []string
}

// SeedTwoCounties records, with the clock at now, every kind of event of
// children's files and of cases: a caseworker in each of two counties and
// a trained child director of a village; three children registered,
// updated, visited (one visit entered late with an earlier business time),
// entrusted, corrected and erased; and four cases of them through every
// step a case takes, with reporters, notes and phone numbers.
func SeedTwoCounties(t testing.TB, store eventstore.Store, now time.Time) Seed {
	ctx := context.Background()
	jur := func(code string) domain.Jurisdiction { return Must(domain.ParseJurisdiction(code)) }
	county := NewCounty(t, store, commands.WithClock(func() time.Time { return now }))
	h, admin, cw1 := county.Handlers, county.Admin, county.Caseworker
	s := Seed{Handlers: h, Admin: admin, Caseworker1: county.WorkerID, Caseworker1Call: cw1}
	sensitive := func(texts ...string) {
		for _, x := range texts {
			if x != "" {
				s.Sensitive = append(s.Sensitive, x)
			}
		}
	}
	ok := func(_ commands.Result, err error) { t.Helper(); require.NoError(t, err) }

	worker := func(name string, role domain.Role, j string) (string, commands.Call) {
		res, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: name, Role: role, Jurisdiction: jur(j)})
		require.NoError(t, err)
		sensitive(name)
		return res.ID, commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: res.ID, Role: role, Jurisdiction: jur(j)}}}
	}
	sensitive("王芳")
	var cw2, dir commands.Call
	s.Caseworker2, cw2 = worker("吴社工乙", domain.RoleCaseworker, "370102")
	s.Caseworker2Call = cw2
	director, dir := worker("郑主任丙", domain.RoleChildDirector, "370902101201")
	ok(h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director, Passed: true, CompletedOn: domain.NewDate(2026, 1, 10)}))

	register := func(call commands.Call, c domain.ChildRegistered) string {
		res, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: c})
		require.NoError(t, err)
		sensitive(c.Name, c.IDNumber, c.Guardian.Name, c.Guardian.Phone, c.LivingSituation, c.Schooling)
		if g := c.EntrustedGuardian; g != nil {
			sensitive(g.Name, g.Phone)
		}
		return res.ID
	}
	female, male := Must(domain.ParseSex("female")), Must(domain.ParseSex("male"))
	s.ChildA = register(cw1, domain.ChildRegistered{
		Name: "李小红", IDNumber: residentID("37090220140315002"), BirthDate: domain.NewDate(2014, 3, 15), Sex: female,
		Jurisdiction: jur("370902101201"), Categories: leftBehind(),
		KeyChildFlags:   Must(domain.ParseKeyChildFlags([]string{"poor_guardianship"})),
		Guardian:        domain.Guardian{Name: "李大山", Relation: "祖父", Phone: "13800138000"},
		LivingSituation: "与祖母同住甲乙", Schooling: "镇中心小学五年级甲乙", HukouRegistered: true,
	})
	s.ChildB = register(cw1, domain.ChildRegistered{
		Name: "王小刚", BirthDate: domain.NewDate(2012, 7, 1), Sex: male,
		Jurisdiction: jur("370902100201"), Categories: Must(domain.ParseCategories([]string{"in_difficulty"})),
		DifficultyReasons: Must(domain.ParseDifficultyReasons([]string{"poverty"})),
		Guardian:          domain.Guardian{Name: "王建国", Relation: "父亲", Phone: "13900139000"},
		EntrustedGuardian: &domain.Guardian{Name: "王二叔", Relation: "叔叔", Phone: "13500135000"},
		LivingSituation:   "与叔叔同住丙丁",
	})
	s.ChildC = register(cw2, domain.ChildRegistered{
		Name: "赵小花", IDNumber: residentID("37010220160101004"), BirthDate: domain.NewDate(2016, 1, 1), Sex: female,
		Jurisdiction: jur("370102001002"), Categories: Must(domain.ParseCategories([]string{"scattered_orphan"})),
		Guardian: domain.Guardian{Name: "赵奶奶", Relation: "祖母"}, Schooling: "幼儿园戊己",
	})

	// Profile updates: only the fields sent change.
	schooling, newName, hukou := "县实验中学初一甲乙", "王小强", true
	flags := Must(domain.ParseKeyChildFlags([]string{"poor_guardianship", "dropout"}))
	ok(h.UpdateChildProfile(ctx, cw1, commands.UpdateChildProfile{ChildID: s.ChildA, Update: domain.ChildProfileUpdated{Schooling: &schooling, KeyChildFlags: &flags}}))
	guardian := domain.Guardian{Name: "王建军", Relation: "父亲", Phone: "13900139111"}
	ok(h.UpdateChildProfile(ctx, cw1, commands.UpdateChildProfile{ChildID: s.ChildB, Update: domain.ChildProfileUpdated{Name: &newName, Guardian: &guardian}}))
	none := []domain.KeyChildFlag{}
	// C has no flags: clearing them is no change and is left out of the event.
	ok(h.UpdateChildProfile(ctx, cw2, commands.UpdateChildProfile{ChildID: s.ChildC, Update: domain.ChildProfileUpdated{HukouRegistered: &hukou, KeyChildFlags: &none}}))
	sensitive(schooling, newName, guardian.Name, guardian.Phone)

	// Visits: the late one is entered last with the earliest business time.
	visit := func(call commands.Call, child string, at time.Time, findings string, concerns []domain.Concern) commands.Result {
		res, err := h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: child, OccurredAt: at, Findings: findings, Concerns: concerns})
		require.NoError(t, err)
		sensitive(findings)
		return res
	}
	first := visit(cw1, s.ChildA, now.Add(-48*time.Hour), "家中无成人看护子丑", Must(domain.ParseConcerns([]string{"living_alone"})))
	s.LatestVisitA = now.Add(-2 * time.Hour)
	visit(cw1, s.ChildA, s.LatestVisitA, "祖母已返回寅卯", nil)
	visit(cw1, s.ChildB, now.Add(-240*time.Hour), "家境困难辰巳", nil)
	visit(cw2, s.ChildC, now.Add(-72*time.Hour), "生活正常午未", nil)
	s.LateVisitA = now.Add(-20 * 24 * time.Hour)
	visit(cw1, s.ChildA, s.LateVisitA, "补录的走访申酉", nil)

	// Entrusted guardianship, confirmed by the trained director.
	ok(h.ConfirmEntrustment(ctx, dir, commands.ConfirmEntrustment{ChildID: s.ChildA, OccurredAt: now.Add(-24 * time.Hour),
		EntrustedGuardian: domain.Guardian{Name: "李二婶", Relation: "婶婶", Phone: "13700137000"}, ParentsNotified: true}))
	sensitive("李二婶", "13700137000")

	// A correction of the first visit (record.entry_corrected).
	ok(h.CorrectChildEntry(ctx, cw1, commands.CorrectChildEntry{ChildID: s.ChildA, Position: first.LastPosition(),
		Fields: map[string]json.RawMessage{"findings": json.RawMessage(`"走访时间应为上午戌亥"`)}, Reason: "录入笔误戌亥"}))
	sensitive("走访时间应为上午戌亥", "录入笔误戌亥")

	// Cases.
	report := func(call commands.Call, child string, concerns []string, risk domain.Risk, received time.Time, reporter, phone, summary string) string {
		res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: child, Source: hotline,
			Reporter: domain.Reporter{Type: neighbour, Name: reporter, Phone: phone},
			Concerns: Must(domain.ParseConcerns(concerns)), Risk: risk, ReceivedAt: received, Summary: summary})
		require.NoError(t, err)
		sensitive(reporter, phone, summary)
		return res.ID
	}
	s.CaseA1 = report(cw1, s.ChildA, []string{"living_alone", "neglect"}, domain.RiskHigh, now.Add(-36*time.Hour), "钱阿姨", "13600136000", "邻居说孩子一连三天没人管子午")
	at := now.Add(-35 * time.Hour)
	ok(h.ForwardToPolice(ctx, cw1, commands.ForwardToPolice{CaseID: s.CaseA1, OccurredAt: at, PoliceUnit: "城关派出所卯酉", Reference: "JJ2026-0099"}))
	ok(h.AssignCase(ctx, cw1, commands.AssignCase{CaseID: s.CaseA1, WorkerID: s.Caseworker1}))
	ok(h.RecordEmergencyResponse(ctx, cw1, commands.RecordEmergencyResponse{CaseID: s.CaseA1, OccurredAt: at.Add(time.Hour), Action: "送往姑姑家暂住辰戌", Note: "姑姑电话13400134000"}))
	ok(h.CompleteAssessment(ctx, cw1, commands.CompleteAssessment{CaseID: s.CaseA1, OccurredAt: at.Add(2 * time.Hour), Risk: domain.RiskMedium,
		Needs: []string{"陪伴丑未"}, GuardianshipAssessment: "祖母体弱丑未"}))
	ok(h.HoldConference(ctx, cw1, commands.HoldConference{CaseID: s.CaseA1, OccurredAt: at.Add(3 * time.Hour),
		Agencies: Must(domain.ParseAgencies([]string{"education", "police"})), Decisions: "由学校安排午餐寅申"}))
	ref, err := h.MakeReferral(ctx, cw1, commands.MakeReferral{CaseID: s.CaseA1, Agency: education, Service: returnToSchool, Note: "班主任张老师巳亥"})
	require.NoError(t, err)
	ok(h.AcceptReferral(ctx, cw1, commands.AcceptReferral{CaseID: s.CaseA1, ReferralID: ref.ReferralID, Note: "已联系甲子"}))
	ok(h.StartTemporaryGuardianship(ctx, cw1, commands.StartTemporaryGuardianship{CaseID: s.CaseA1, OccurredAt: at.Add(5 * time.Hour),
		Ground: guardianMissing, Placement: kin}))
	ok(h.RecordIntervention(ctx, cw1, commands.RecordIntervention{CaseID: s.CaseA1, OccurredAt: at.Add(6 * time.Hour), Measure: "训诫父亲乙丑", Note: "父亲在外务工丙寅"}))
	ok(h.RecordFollowUp(ctx, cw1, commands.RecordFollowUp{CaseID: s.CaseA1, OccurredAt: at.Add(7 * time.Hour), Note: "孩子情绪稳定丁卯", Method: "电话戊辰"}))
	ok(h.EndTemporaryGuardianship(ctx, cw1, commands.EndTemporaryGuardianship{CaseID: s.CaseA1, OccurredAt: at.Add(8 * time.Hour), Outcome: returnedToFamily}))
	ok(h.CompleteReferral(ctx, cw1, commands.CompleteReferral{CaseID: s.CaseA1, ReferralID: ref.ReferralID, Note: "已返校己巳"}))
	ok(h.DeclareMajorIncident(ctx, cw1, commands.DeclareMajorIncident{CaseID: s.CaseA1, OccurredAt: now, Description: "孩子曾走失庚午"}))
	ok(h.CloseCase(ctx, cw1, commands.CloseCase{CaseID: s.CaseA1, OccurredAt: now, Reason: resolved}))
	sensitive("城关派出所卯酉", "JJ2026-0099", "送往姑姑家暂住辰戌", "姑姑电话13400134000", "13400134000", "陪伴丑未", "祖母体弱丑未", "由学校安排午餐寅申",
		"班主任张老师巳亥", "已联系甲子", "训诫父亲乙丑", "父亲在外务工丙寅", "孩子情绪稳定丁卯", "电话戊辰", "已返校己巳", "孩子曾走失庚午")

	s.CaseA2 = report(cw1, s.ChildA, []string{"dropout"}, domain.RiskMedium, now.Add(-30*time.Hour), "", "", "学校反映多日未到校辛未")

	s.CaseB = report(cw1, s.ChildB, []string{"illness"}, domain.RiskLow, now.Add(-20*time.Hour), "孙先生", "13300133000", "孩子生病无人照顾壬申")
	ok(h.AssignCase(ctx, cw1, commands.AssignCase{CaseID: s.CaseB, WorkerID: s.Caseworker1}))
	refB, err := h.MakeReferral(ctx, cw1, commands.MakeReferral{CaseID: s.CaseB, Agency: Must(domain.ParseAgency("health")),
		Service: Must(domain.ParseService("medical_care")), Note: "需住院治疗甲寅"})
	require.NoError(t, err)
	ok(h.DeclineReferral(ctx, cw1, commands.DeclineReferral{CaseID: s.CaseB, ReferralID: refB.ReferralID, Reason: "床位已满乙亥"}))
	ok(h.CloseCase(ctx, cw1, commands.CloseCase{CaseID: s.CaseB, OccurredAt: now, Reason: Must(domain.ParseClosureReason("unfounded"))}))
	ok(h.ReopenCase(ctx, cw1, commands.ReopenCase{CaseID: s.CaseB, Reason: "情况有新变化丙子"}))
	sensitive("需住院治疗甲寅", "床位已满乙亥", "情况有新变化丙子")

	s.CaseC = report(cw2, s.ChildC, []string{"missing"}, domain.RiskHigh, now.Add(-10*time.Hour), "", "", "孩子走失癸酉")
	ok(h.AssignCase(ctx, cw2, commands.AssignCase{CaseID: s.CaseC, WorkerID: s.Caseworker2}))
	ok(h.StartTemporaryGuardianship(ctx, cw2, commands.StartTemporaryGuardianship{CaseID: s.CaseC, OccurredAt: now.Add(-time.Hour),
		Ground: Must(domain.ParseGround("street_or_unidentified")), Placement: Must(domain.ParsePlacement("center"))}))

	// B's data is erased after its case was opened.
	ok(h.EraseChild(ctx, admin, commands.EraseChild{ChildID: s.ChildB, Reason: "监护人依法申请删除甲戌"}))
	sensitive("监护人依法申请删除甲戌")
	return s
}

// residentID makes a valid 18-character resident ID number from 17 digits.
func residentID(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}
