package timeline_test

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

// seed is what record made: ids, and every piece of personal data or free
// text it typed in (which no timeline summary may contain).
type seed struct {
	A, B, C         string // child ids: A is visited, entrusted and has two cases; B is erased; C lives in another county
	CaseA1, CaseA2  string // A's cases: A1 runs its whole course and closes, A2 stays open and unassigned
	CaseB, CaseC    string
	Caseworker1     string // 370902
	Caseworker2     string // 370102
	Caseworker1Call commands.Call
	Sensitive       []string
	LatestVisitA    time.Time
	LateVisitA      time.Time // entered after LatestVisitA, with an earlier business time
	Handlers        *commands.Handlers
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

// parsed is the value of a parse of a constant that cannot fail.
func parsed[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// record drives the child commands — registrations, profile updates,
// visits (one entered late with an earlier business time), entrusted
// guardianship, a correction, an erasure — and some cases of those
// children with different workers, statuses and risks.
func record(t *testing.T, store eventstore.Store) seed {
	ctx := context.Background()
	now := enginetest.Now
	jur := enginetest.Jur
	h := commands.New(store, commands.WithClock(func() time.Time { return now }))
	var s seed
	s.Handlers = h
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}

	worker := func(name string, role domain.Role, j string) string {
		res, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: name, Role: role, Jurisdiction: jur(t, j)})
		require.NoError(t, err)
		s.Sensitive = append(s.Sensitive, name)
		return res.ID
	}
	s.Caseworker1 = worker("周社工甲", domain.RoleCaseworker, "370902")
	s.Caseworker2 = worker("吴社工乙", domain.RoleCaseworker, "370102")
	director := worker("郑主任丙", domain.RoleChildDirector, "370902101201")
	_, err := h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director, Passed: true, CompletedOn: domain.NewDate(2026, 1, 10)})
	require.NoError(t, err)
	cw1 := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: s.Caseworker1, Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370902")}}}
	cw2 := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: s.Caseworker2, Role: domain.RoleCaseworker, Jurisdiction: jur(t, "370102")}}}
	dir := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: director, Role: domain.RoleChildDirector, Jurisdiction: jur(t, "370902101201")}}}
	s.Caseworker1Call = cw1

	sensitive := func(texts ...string) {
		for _, x := range texts {
			if x != "" {
				s.Sensitive = append(s.Sensitive, x)
			}
		}
	}
	register := func(call commands.Call, c domain.ChildRegistered) string {
		res, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: c})
		require.NoError(t, err)
		sensitive(c.Name, c.IDNumber, c.Guardian.Name, c.Guardian.Phone, c.LivingSituation, c.Schooling)
		return res.ID
	}
	female := parsed(domain.ParseSex("female"))
	male := parsed(domain.ParseSex("male"))
	s.A = register(cw1, domain.ChildRegistered{
		Name: "李小红", IDNumber: residentID("37090220140315002"), BirthDate: domain.NewDate(2014, 3, 15), Sex: female,
		Jurisdiction: jur(t, "370902101201"), Categories: parsed(domain.ParseCategories([]string{"left_behind"})),
		KeyChildFlags:   parsed(domain.ParseKeyChildFlags([]string{"poor_guardianship"})),
		Guardian:        domain.Guardian{Name: "李大山", Relation: "祖父", Phone: "13800138000"},
		LivingSituation: "与祖母同住甲乙", Schooling: "镇中心小学五年级甲乙", HukouRegistered: true,
	})
	s.B = register(cw1, domain.ChildRegistered{
		Name: "王小刚", BirthDate: domain.NewDate(2012, 7, 1), Sex: male,
		Jurisdiction: jur(t, "370902102301"), Categories: parsed(domain.ParseCategories([]string{"in_difficulty"})),
		DifficultyReasons: parsed(domain.ParseDifficultyReasons([]string{"poverty"})),
		Guardian:          domain.Guardian{Name: "王建国", Relation: "父亲", Phone: "13900139000"},
		EntrustedGuardian: &domain.Guardian{Name: "王二叔", Relation: "叔叔", Phone: "13500135000"},
		LivingSituation:   "与叔叔同住丙丁",
	})
	sensitive("王二叔", "13500135000")
	s.C = register(cw2, domain.ChildRegistered{
		Name: "赵小花", IDNumber: residentID("37010220160101004"), BirthDate: domain.NewDate(2016, 1, 1), Sex: female,
		Jurisdiction: jur(t, "370102001001"), Categories: parsed(domain.ParseCategories([]string{"scattered_orphan"})),
		Guardian: domain.Guardian{Name: "赵奶奶", Relation: "祖母"}, Schooling: "幼儿园戊己",
	})

	// Profile updates: only the fields sent change.
	schooling, newName, hukou := "县实验中学初一甲乙", "王小强", true
	flags := parsed(domain.ParseKeyChildFlags([]string{"poor_guardianship", "dropout"}))
	_, err = h.UpdateChildProfile(ctx, cw1, commands.UpdateChildProfile{ChildID: s.A, Update: domain.ChildProfileUpdated{Schooling: &schooling, KeyChildFlags: &flags}})
	require.NoError(t, err)
	guardian := domain.Guardian{Name: "王建军", Relation: "父亲", Phone: "13900139111"}
	_, err = h.UpdateChildProfile(ctx, cw1, commands.UpdateChildProfile{ChildID: s.B, Update: domain.ChildProfileUpdated{Name: &newName, Guardian: &guardian}})
	require.NoError(t, err)
	none := []domain.KeyChildFlag{}
	// C has no flags: clearing them is no change and is left out of the event.
	_, err = h.UpdateChildProfile(ctx, cw2, commands.UpdateChildProfile{ChildID: s.C, Update: domain.ChildProfileUpdated{HukouRegistered: &hukou, KeyChildFlags: &none}})
	require.NoError(t, err)
	sensitive(schooling, newName, guardian.Name, guardian.Phone)

	// Visits: the late one is entered last with the earliest business time.
	living := parsed(domain.ParseConcerns([]string{"living_alone"}))
	visit := func(call commands.Call, child string, at time.Time, findings string, concerns []domain.Concern) commands.Result {
		res, err := h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: child, OccurredAt: at, Findings: findings, Concerns: concerns})
		require.NoError(t, err)
		sensitive(findings)
		return res
	}
	first := visit(cw1, s.A, now.Add(-48*time.Hour), "家中无成人看护子丑", living)
	s.LatestVisitA = now.Add(-2 * time.Hour)
	visit(cw1, s.A, s.LatestVisitA, "祖母已返回寅卯", nil)
	visit(cw1, s.B, now.Add(-240*time.Hour), "家境困难辰巳", nil)
	visit(cw2, s.C, now.Add(-72*time.Hour), "生活正常午未", nil)
	s.LateVisitA = now.Add(-20 * 24 * time.Hour)
	visit(cw1, s.A, s.LateVisitA, "补录的走访申酉", nil)

	// Entrusted guardianship, confirmed by the trained director.
	_, err = h.ConfirmEntrustment(ctx, dir, commands.ConfirmEntrustment{ChildID: s.A, OccurredAt: now.Add(-24 * time.Hour),
		EntrustedGuardian: domain.Guardian{Name: "李二婶", Relation: "婶婶", Phone: "13700137000"}, ParentsNotified: true})
	require.NoError(t, err)
	sensitive("李二婶", "13700137000")

	// A correction of the first visit (record.entry_corrected).
	history, err := store.ReadStream(ctx, domain.ChildStream(s.A).String(), 0, 0)
	require.NoError(t, err)
	var firstVisitID = history[0].ID
	for _, e := range history {
		if e.GlobalPosition == first.LastPosition() {
			firstVisitID = e.ID
		}
	}
	_, err = h.CorrectChildEntry(ctx, cw1, commands.CorrectChildEntry{ChildID: s.A, EventID: firstVisitID, Correction: "走访时间应为上午戌亥", Reason: "录入笔误戌亥"})
	require.NoError(t, err)
	sensitive("走访时间应为上午戌亥", "录入笔误戌亥")

	// Cases.
	report := func(call commands.Call, child string, concerns []string, risk domain.Risk, reporterName, phone, summary string) string {
		res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: child,
			Source:   parsed(domain.ParseSource("hotline_12355")),
			Reporter: domain.Reporter{Type: parsed(domain.ParseReporterType("neighbour")), Name: reporterName, Phone: phone},
			Concerns: parsed(domain.ParseConcerns(concerns)), Risk: risk, ReceivedAt: now.Add(-36 * time.Hour), Summary: summary})
		require.NoError(t, err)
		sensitive(reporterName, phone, summary)
		return res.ID
	}
	ok := func(_ commands.Result, err error) { t.Helper(); require.NoError(t, err) }
	s.CaseA1 = report(cw1, s.A, []string{"living_alone", "neglect"}, domain.RiskHigh, "钱阿姨", "13600136000", "邻居说孩子一连三天没人管子午")
	at := now.Add(-35 * time.Hour)
	ok(h.ForwardToPolice(ctx, cw1, commands.ForwardToPolice{CaseID: s.CaseA1, OccurredAt: at, PoliceUnit: "城关派出所卯酉", Reference: "JJ2026-0099"}))
	ok(h.AssignCase(ctx, cw1, commands.AssignCase{CaseID: s.CaseA1, WorkerID: s.Caseworker1}))
	ok(h.RecordEmergencyResponse(ctx, cw1, commands.RecordEmergencyResponse{CaseID: s.CaseA1, OccurredAt: at.Add(time.Hour), Action: "送往姑姑家暂住辰戌", Note: "姑姑电话13400134000"}))
	ok(h.CompleteAssessment(ctx, cw1, commands.CompleteAssessment{CaseID: s.CaseA1, OccurredAt: at.Add(2 * time.Hour), Risk: domain.RiskMedium, Needs: []string{"陪伴丑未"}, GuardianshipAssessment: "祖母体弱丑未"}))
	ok(h.HoldConference(ctx, cw1, commands.HoldConference{CaseID: s.CaseA1, OccurredAt: at.Add(3 * time.Hour),
		Agencies: parsed(domain.ParseAgencies([]string{"education", "police"})), Decisions: "由学校安排午餐寅申"}))
	ref, err := h.MakeReferral(ctx, cw1, commands.MakeReferral{CaseID: s.CaseA1, Agency: parsed(domain.ParseAgency("education")),
		Service: parsed(domain.ParseService("return_to_school")), Note: "班主任张老师巳亥"})
	require.NoError(t, err)
	ok(h.AcceptReferral(ctx, cw1, commands.AcceptReferral{CaseID: s.CaseA1, ReferralID: ref.ReferralID, Note: "已联系甲子"}))
	ok(h.StartTemporaryGuardianship(ctx, cw1, commands.StartTemporaryGuardianship{CaseID: s.CaseA1, OccurredAt: at.Add(5 * time.Hour),
		Ground: parsed(domain.ParseGround("guardian_missing")), Placement: parsed(domain.ParsePlacement("kin"))}))
	ok(h.RecordIntervention(ctx, cw1, commands.RecordIntervention{CaseID: s.CaseA1, OccurredAt: at.Add(6 * time.Hour), Measure: "训诫父亲乙丑", Note: "父亲在外务工丙寅"}))
	ok(h.RecordFollowUp(ctx, cw1, commands.RecordFollowUp{CaseID: s.CaseA1, OccurredAt: at.Add(7 * time.Hour), Note: "孩子情绪稳定丁卯", Method: "电话戊辰"}))
	ok(h.EndTemporaryGuardianship(ctx, cw1, commands.EndTemporaryGuardianship{CaseID: s.CaseA1, OccurredAt: at.Add(8 * time.Hour),
		Outcome: parsed(domain.ParseGuardianshipOutcome("returned_to_family"))}))
	ok(h.CompleteReferral(ctx, cw1, commands.CompleteReferral{CaseID: s.CaseA1, ReferralID: ref.ReferralID, Note: "已返校己巳"}))
	ok(h.DeclareMajorIncident(ctx, cw1, commands.DeclareMajorIncident{CaseID: s.CaseA1, OccurredAt: now, Description: "孩子曾走失庚午"}))
	ok(h.CloseCase(ctx, cw1, commands.CloseCase{CaseID: s.CaseA1, OccurredAt: now, Reason: parsed(domain.ParseClosureReason("resolved"))}))
	sensitive("城关派出所卯酉", "JJ2026-0099", "送往姑姑家暂住辰戌", "13400134000", "陪伴丑未", "祖母体弱丑未", "由学校安排午餐寅申",
		"班主任张老师巳亥", "已联系甲子", "训诫父亲乙丑", "父亲在外务工丙寅", "孩子情绪稳定丁卯", "电话戊辰", "已返校己巳", "孩子曾走失庚午")

	s.CaseA2 = report(cw1, s.A, []string{"dropout"}, domain.RiskMedium, "", "", "学校反映多日未到校辛未")
	s.CaseB = report(cw1, s.B, []string{"illness"}, domain.RiskLow, "孙先生", "13300133000", "孩子生病无人照顾壬申")
	ok(h.AssignCase(ctx, cw1, commands.AssignCase{CaseID: s.CaseB, WorkerID: s.Caseworker1}))
	refB, err := h.MakeReferral(ctx, cw1, commands.MakeReferral{CaseID: s.CaseB, Agency: parsed(domain.ParseAgency("health")),
		Service: parsed(domain.ParseService("medical_care")), Note: "需住院治疗丁丑"})
	require.NoError(t, err)
	sensitive("需住院治疗丁丑")
	ok(h.DeclineReferral(ctx, cw1, commands.DeclineReferral{CaseID: s.CaseB, ReferralID: refB.ReferralID, Reason: "床位已满乙亥"}))
	ok(h.CloseCase(ctx, cw1, commands.CloseCase{CaseID: s.CaseB, OccurredAt: now, Reason: parsed(domain.ParseClosureReason("unfounded"))}))
	ok(h.ReopenCase(ctx, cw1, commands.ReopenCase{CaseID: s.CaseB, Reason: "情况有新变化丙子"}))
	sensitive("床位已满乙亥", "情况有新变化丙子")
	s.CaseC = report(cw2, s.C, []string{"missing"}, domain.RiskHigh, "", "", "孩子走失癸酉")
	ok(h.AssignCase(ctx, cw2, commands.AssignCase{CaseID: s.CaseC, WorkerID: s.Caseworker2}))
	ok(h.StartTemporaryGuardianship(ctx, cw2, commands.StartTemporaryGuardianship{CaseID: s.CaseC, OccurredAt: now.Add(-time.Hour),
		Ground: parsed(domain.ParseGround("street_or_unidentified")), Placement: parsed(domain.ParsePlacement("center"))}))

	// B's data is erased after its case was opened.
	ok(h.EraseChild(ctx, admin, commands.EraseChild{ChildID: s.B, Reason: "监护人依法申请删除甲戌"}))
	sensitive("监护人依法申请删除甲戌")
	return s
}
