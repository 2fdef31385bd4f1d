package browser

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// missedPoliceReport is the scenario of the issue: a report that a child
// lives alone, received ten days ago and never forwarded to the police
// (missed); the deadline policy changed afterwards; a second report today;
// and a visit made five days ago but entered only now (a late entry).
// BeforeVisit is a moment after everything else was recorded and before the
// visit was: the record as it stood then does not hold the visit.
type missedPoliceReport struct {
	Worker, Child, FirstCase, SecondCase string
	Received, VisitOccurred, BeforeVisit time.Time
	VisitPosition, LastPosition          int64
}

// gap separates BeforeVisit from the entries on either side of it by more
// than the page's slider step (a second) could blur.
const gap = 1500 * time.Millisecond

func seedMissedPoliceReport(t *testing.T, store eventstore.Store) missedPoliceReport {
	t.Helper()
	ctx := context.Background()
	h := commands.New(store)
	place := func(code string) domain.Jurisdiction {
		j, err := domain.ParseJurisdiction(code)
		require.NoError(t, err)
		return j
	}
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	worker, err := h.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: place("370902")})
	require.NoError(t, err)
	cw := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: worker.ID, Role: domain.RoleCaseworker, Jurisdiction: place("370902")}}}
	cats, err := domain.ParseCategories([]string{"left_behind"})
	require.NoError(t, err)
	sex, err := domain.ParseSex("male")
	require.NoError(t, err)
	child, err := h.RegisterChild(ctx, cw, commands.RegisterChild{Child: domain.ChildRegistered{Name: "小明", BirthDate: domain.NewDate(2015, 1, 1),
		Sex: sex, Jurisdiction: place("370902101201"), Categories: cats, Guardian: domain.Guardian{Name: "张三", Relation: "grandfather"}}})
	require.NoError(t, err)

	livingAlone, err := domain.ParseConcerns([]string{"living_alone"})
	require.NoError(t, err)
	hotline, err := domain.ParseSource("hotline_12355")
	require.NoError(t, err)
	anonymous, err := domain.ParseReporterType("anonymous")
	require.NoError(t, err)
	received := time.Now().Add(-10 * 24 * time.Hour).Truncate(time.Minute)
	first, _, err := h.ReceiveReport(ctx, cw, commands.ReceiveReport{ChildID: child.ID, Source: hotline,
		Reporter: domain.Reporter{Type: anonymous}, Concerns: livingAlone, Risk: domain.RiskHigh, ReceivedAt: received, Summary: "独自在家"})
	require.NoError(t, err)

	policy := domain.DefaultPolicy()
	policy.PoliceReport = domain.Hours(2)
	_, err = h.ChangePolicy(ctx, admin, commands.ChangePolicy{Policy: policy})
	require.NoError(t, err)
	second, _, err := h.ReceiveReport(ctx, cw, commands.ReceiveReport{ChildID: child.ID, Source: hotline,
		Reporter: domain.Reporter{Type: anonymous}, Concerns: livingAlone, Risk: domain.RiskHigh, ReceivedAt: time.Now(), Summary: "再次独自在家"})
	require.NoError(t, err)

	time.Sleep(gap)
	before := time.Now()
	time.Sleep(gap)
	occurred := time.Now().Add(-5 * 24 * time.Hour).Truncate(time.Minute)
	visit, err := h.RecordVisit(ctx, cw, commands.RecordVisit{ChildID: child.ID, OccurredAt: occurred, Findings: "家中无人"})
	require.NoError(t, err)
	return missedPoliceReport{Worker: worker.ID, Child: child.ID, FirstCase: first.ID, SecondCase: second.ID,
		Received: received, VisitOccurred: occurred, BeforeVisit: before,
		VisitPosition: visit.LastPosition(), LastPosition: visit.LastPosition()}
}
