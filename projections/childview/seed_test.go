package childview_test

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

// seed is what files made: the children's ids and every piece of personal
// data or free text typed in (which no row of the view may hold).
type seed struct {
	A, B, C      string // A is visited, entrusted, a key child; B is erased; C lives in another county
	Sensitive    []string
	LatestVisitA time.Time
	LateVisitA   time.Time // entered after LatestVisitA, with an earlier business time
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

// files drives the child commands — registrations, profile updates,
// visits (one entered late with an earlier business time), entrusted
// guardianship, a correction, an erasure — for three children.
func files(t *testing.T, store eventstore.Store) seed {
	ctx := context.Background()
	now := enginetest.Now
	jur := func(s string) domain.Jurisdiction { return enginetest.Jur(t, s) }
	h := commands.New(store, commands.WithClock(func() time.Time { return now }))
	var s seed
	sensitive := func(texts ...string) {
		for _, x := range texts {
			if x != "" {
				s.Sensitive = append(s.Sensitive, x)
			}
		}
	}
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	worker := func(name string, role domain.Role, j string) string {
		res, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: name, Role: role, Jurisdiction: jur(j)})
		require.NoError(t, err)
		return res.ID
	}
	cw1ID, cw2ID := worker("周社工甲", domain.RoleCaseworker, "370902"), worker("吴社工乙", domain.RoleCaseworker, "370102")
	director := worker("郑主任丙", domain.RoleChildDirector, "370902101201")
	_, err := h.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: director, Passed: true, CompletedOn: domain.NewDate(2026, 1, 10)})
	require.NoError(t, err)
	cw1 := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: cw1ID, Role: domain.RoleCaseworker, Jurisdiction: jur("370902")}}}
	cw2 := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: cw2ID, Role: domain.RoleCaseworker, Jurisdiction: jur("370102")}}}
	dir := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: director, Role: domain.RoleChildDirector, Jurisdiction: jur("370902101201")}}}

	register := func(call commands.Call, c domain.ChildRegistered) string {
		res, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: c})
		require.NoError(t, err)
		sensitive(c.Name, c.IDNumber, c.Guardian.Name, c.Guardian.Phone, c.LivingSituation, c.Schooling)
		if g := c.EntrustedGuardian; g != nil {
			sensitive(g.Name, g.Phone)
		}
		return res.ID
	}
	female, male := parsed(domain.ParseSex("female")), parsed(domain.ParseSex("male"))
	s.A = register(cw1, domain.ChildRegistered{
		Name: "李小红", IDNumber: residentID("37090220140315002"), BirthDate: domain.NewDate(2014, 3, 15), Sex: female,
		Jurisdiction: jur("370902101201"), Categories: parsed(domain.ParseCategories([]string{"left_behind"})),
		KeyChildFlags:   parsed(domain.ParseKeyChildFlags([]string{"poor_guardianship"})),
		Guardian:        domain.Guardian{Name: "李大山", Relation: "祖父", Phone: "13800138000"},
		LivingSituation: "与祖母同住甲乙", Schooling: "镇中心小学五年级甲乙", HukouRegistered: true,
	})
	s.B = register(cw1, domain.ChildRegistered{
		Name: "王小刚", BirthDate: domain.NewDate(2012, 7, 1), Sex: male,
		Jurisdiction: jur("370902102301"), Categories: parsed(domain.ParseCategories([]string{"in_difficulty"})),
		DifficultyReasons: parsed(domain.ParseDifficultyReasons([]string{"poverty"})),
		Guardian:          domain.Guardian{Name: "王建国", Relation: "父亲", Phone: "13900139000"},
		EntrustedGuardian: &domain.Guardian{Name: "王二叔", Relation: "叔叔", Phone: "13500135000"},
		LivingSituation:   "与叔叔同住丙丁",
	})
	s.C = register(cw2, domain.ChildRegistered{
		Name: "赵小花", IDNumber: residentID("37010220160101004"), BirthDate: domain.NewDate(2016, 1, 1), Sex: female,
		Jurisdiction: jur("370102001001"), Categories: parsed(domain.ParseCategories([]string{"scattered_orphan"})),
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
	visit := func(call commands.Call, child string, at time.Time, findings string) commands.Result {
		res, err := h.RecordVisit(ctx, call, commands.RecordVisit{ChildID: child, OccurredAt: at, Findings: findings})
		require.NoError(t, err)
		sensitive(findings)
		return res
	}
	first := visit(cw1, s.A, now.Add(-48*time.Hour), "家中无成人看护子丑")
	s.LatestVisitA = now.Add(-2 * time.Hour)
	visit(cw1, s.A, s.LatestVisitA, "祖母已返回寅卯")
	visit(cw1, s.B, now.Add(-240*time.Hour), "家境困难辰巳")
	visit(cw2, s.C, now.Add(-72*time.Hour), "生活正常午未")
	s.LateVisitA = now.Add(-20 * 24 * time.Hour)
	visit(cw1, s.A, s.LateVisitA, "补录的走访申酉")

	// Entrusted guardianship, confirmed by the trained director.
	_, err = h.ConfirmEntrustment(ctx, dir, commands.ConfirmEntrustment{ChildID: s.A, OccurredAt: now.Add(-24 * time.Hour),
		EntrustedGuardian: domain.Guardian{Name: "李二婶", Relation: "婶婶", Phone: "13700137000"}, ParentsNotified: true})
	require.NoError(t, err)
	sensitive("李二婶", "13700137000")

	// A correction of the first visit (record.entry_corrected).
	history, err := store.ReadStream(ctx, domain.ChildStream(s.A).String(), 0, 0)
	require.NoError(t, err)
	firstVisitID := history[0].ID
	for _, e := range history {
		if e.GlobalPosition == first.LastPosition() {
			firstVisitID = e.ID
		}
	}
	_, err = h.CorrectChildEntry(ctx, cw1, commands.CorrectChildEntry{ChildID: s.A, EventID: firstVisitID, Correction: "走访时间应为上午戌亥", Reason: "录入笔误戌亥"})
	require.NoError(t, err)
	sensitive("走访时间应为上午戌亥", "录入笔误戌亥")

	// B's data is erased.
	_, err = h.EraseChild(ctx, admin, commands.EraseChild{ChildID: s.B, Reason: "监护人依法申请删除甲戌"})
	require.NoError(t, err)
	return s
}
