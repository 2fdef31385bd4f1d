// Package commandstest drives the write side in tests of what reads it: a
// workload of random commands on one county, from several writers at once.
package commandstest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// Workload drives random commands — reports, assignments, follow-ups,
// referrals and their answers, guardianship, closures, reopenings — from
// several goroutines at once, deterministically per goroutine from seed,
// with now as the clock.
func Workload(t testing.TB, store eventstore.Store, now time.Time, seed uint64, writers, steps int) {
	ctx := context.Background()
	h := commands.New(store, commands.WithClock(func() time.Time { return now }))
	admin := domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}
	county, err := domain.ParseJurisdiction("370902")
	require.NoError(t, err)
	village, err := domain.ParseJurisdiction("370902101201")
	require.NoError(t, err)
	cw, err := h.RegisterWorker(ctx, commands.Call{Principal: admin}, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: county})
	require.NoError(t, err)
	caseworker := domain.Principal{Actor: domain.Actor{Subject: cw.ID, Role: domain.RoleCaseworker, Jurisdiction: county}}
	call := commands.Call{Principal: caseworker}
	cats, _ := domain.ParseCategories([]string{"left_behind"})
	sex, _ := domain.ParseSex("male")
	child, err := h.RegisterChild(ctx, call, commands.RegisterChild{Child: domain.ChildRegistered{
		Name: "小明", BirthDate: domain.NewDate(2015, 1, 1), Sex: sex, Jurisdiction: village,
		Categories: cats, Guardian: domain.Guardian{Name: "张三", Relation: "grandfather"}}})
	require.NoError(t, err)
	concerns, _ := domain.ParseConcerns([]string{"neglect"})
	src, _ := domain.ParseSource("hotline_12355")
	rt, _ := domain.ParseReporterType("neighbour")
	education, _ := domain.ParseAgency("education")
	service, _ := domain.ParseService("return_to_school")
	ground, _ := domain.ParseGround("guardian_missing")
	placement, _ := domain.ParsePlacement("kin")
	outcome, _ := domain.ParseGuardianshipOutcome("returned_to_family")
	reason, _ := domain.ParseClosureReason("resolved")

	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			var cases []string
			referrals := map[string][]string{}
			at := now.Add(-time.Hour)
			for range steps {
				if len(cases) == 0 || rng.IntN(5) == 0 {
					res, _, err := h.ReceiveReport(ctx, call, commands.ReceiveReport{ChildID: child.ID, Source: src,
						Reporter: domain.Reporter{Type: rt}, Concerns: concerns, Risk: domain.RiskLow, ReceivedAt: at.Add(-time.Hour), Summary: "来电"})
					if assert.NoError(t, err) {
						cases = append(cases, res.ID)
					}
					continue
				}
				id := cases[rng.IntN(len(cases))]
				var err error
				switch rng.IntN(8) {
				case 0:
					_, err = h.AssignCase(ctx, call, commands.AssignCase{CaseID: id, WorkerID: cw.ID})
				case 1:
					_, err = h.RecordFollowUp(ctx, call, commands.RecordFollowUp{CaseID: id, OccurredAt: at, Note: "回访"})
				case 2:
					var res commands.Result
					res, err = h.MakeReferral(ctx, call, commands.MakeReferral{CaseID: id, Agency: education, Service: service, Note: "返校"})
					if err == nil {
						referrals[id] = append(referrals[id], res.ReferralID)
					}
				case 3:
					if rs := referrals[id]; len(rs) > 0 {
						_, err = h.AcceptReferral(ctx, call, commands.AcceptReferral{CaseID: id, ReferralID: rs[rng.IntN(len(rs))]})
					}
				case 4:
					if rs := referrals[id]; len(rs) > 0 {
						_, err = h.CompleteReferral(ctx, call, commands.CompleteReferral{CaseID: id, ReferralID: rs[rng.IntN(len(rs))]})
					}
				case 5:
					_, err = h.StartTemporaryGuardianship(ctx, call, commands.StartTemporaryGuardianship{CaseID: id, OccurredAt: at, Ground: ground, Placement: placement})
				case 6:
					_, err = h.EndTemporaryGuardianship(ctx, call, commands.EndTemporaryGuardianship{CaseID: id, OccurredAt: at, Outcome: outcome})
				case 7:
					if rng.IntN(2) == 0 {
						_, err = h.CloseCase(ctx, call, commands.CloseCase{CaseID: id, OccurredAt: at, Reason: reason})
					} else {
						_, err = h.ReopenCase(ctx, call, commands.ReopenCase{CaseID: id, Reason: "复查"})
					}
				}
				if err != nil && !errors.Is(err, domain.ErrRule) {
					t.Errorf("writer %d: %v", w, err)
				}
			}
		}()
	}
	wg.Wait()
}

// Streams reads the whole log and decodes it, by stream, through the codec.
func Streams(t testing.TB, store eventstore.Store, kind domain.StreamKind) map[string][]domain.Recorded {
	all, err := store.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	byStream := map[string][]eventstore.Event{}
	for _, e := range all {
		if e.StreamType == string(kind) {
			byStream[e.StreamID] = append(byStream[e.StreamID], e)
		}
	}
	out := map[string][]domain.Recorded{}
	for id, events := range byStream {
		history, err := eventlog.New().Decode(events)
		require.NoError(t, err)
		out[id] = history
	}
	return out
}
