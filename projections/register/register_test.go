package register_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/register"
)

// history is a village whose director moved away and was replaced, the
// replacement then deactivated: who held which post when.
type history struct {
	moved, replaced                   string // worker ids
	t0, t1, t2, t3                    time.Time
	village, nextVillage, township    domain.Jurisdiction
	supervisor, partner, caseworkerID string
}

func writeHistory(t *testing.T, b enginetest.Backend) history {
	ctx := context.Background()
	h := history{t0: enginetest.Now.AddDate(0, -6, 0)}
	h.t1, h.t2, h.t3 = h.t0.AddDate(0, 1, 0), h.t0.AddDate(0, 2, 0), h.t0.AddDate(0, 3, 0)
	h.village, h.nextVillage, h.township = enginetest.Jur(t, "370902101201"), enginetest.Jur(t, "370902101202"), enginetest.Jur(t, "370902101")
	now := h.t0
	cmd := commands.New(b.Store, commands.WithClock(func() time.Time { return now }))
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	registerAt := func(at time.Time, name string, role domain.Role, j domain.Jurisdiction, agency domain.Agency) string {
		now = at
		res, err := cmd.RegisterWorker(ctx, admin, commands.RegisterWorker{Name: name, Role: role, Jurisdiction: j, Agency: agency})
		require.NoError(t, err)
		return res.ID
	}
	h.moved = registerAt(h.t0, "张桂兰", domain.RoleChildDirector, h.village, domain.Agency{})
	_, err := cmd.RecordTraining(ctx, admin, commands.RecordTraining{WorkerID: h.moved, Passed: true, CompletedOn: domain.NewDate(h.t0.Year(), h.t0.Month(), h.t0.Day())})
	require.NoError(t, err)
	h.supervisor = registerAt(h.t0, "赵强", domain.RoleChildSupervisor, h.township, domain.Agency{})
	h.partner = registerAt(h.t0, "孙警官", domain.RolePartner, enginetest.Jur(t, "370902"), commandstest.Must(domain.ParseAgency("police")))
	h.caseworkerID = registerAt(h.t0, "王芳", domain.RoleCaseworker, enginetest.Jur(t, "3709"), domain.Agency{})
	now = h.t3.Add(time.Hour)
	_, err = cmd.TransferWorker(ctx, admin, commands.TransferWorker{WorkerID: h.moved, OccurredAt: h.t1, Jurisdiction: h.nextVillage})
	require.NoError(t, err)
	h.replaced = registerAt(h.t2, "李秀英", domain.RoleChildDirector, h.village, domain.Agency{})
	now = h.t3.Add(time.Hour)
	_, err = cmd.DeactivateWorker(ctx, admin, commands.DeactivateWorker{WorkerID: h.replaced, OccurredAt: h.t3, Reason: "辞职"})
	require.NoError(t, err)
	return h
}

// TestRegisterView: the view lists the register as the domain folds it and
// says who held each post when, while the engine follows the writers and
// after a rebuild from scratch.
func TestRegisterView(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		h := writeHistory(t, b)
		enginetest.CatchUp(t, b, register.Projection{})
		check := func(t *testing.T) {
			ids := func(f register.Filter) []string {
				t.Helper()
				got, err := register.List(ctx, b.DB, f)
				require.NoError(t, err)
				out := []string{}
				for _, w := range got {
					out = append(out, w.ID)
				}
				return out
			}
			yes, no := true, false
			assert.ElementsMatch(t, []string{h.moved, h.replaced, h.supervisor, h.partner, h.caseworkerID}, ids(register.Filter{}))
			assert.ElementsMatch(t, []string{h.moved, h.replaced}, ids(register.Filter{Role: domain.RoleChildDirector}))
			assert.ElementsMatch(t, []string{h.replaced}, ids(register.Filter{Active: &no}))
			assert.ElementsMatch(t, []string{h.moved, h.supervisor, h.partner, h.caseworkerID}, ids(register.Filter{Active: &yes}))
			assert.ElementsMatch(t, []string{h.replaced}, ids(register.Filter{Within: h.village}), "a worker is listed where it serves now")
			assert.ElementsMatch(t, []string{h.moved}, ids(register.Filter{Within: h.nextVillage}))
			assert.ElementsMatch(t, []string{h.caseworkerID}, ids(register.Filter{Within: enginetest.Jur(t, "3709"), Role: domain.RoleCaseworker}))
			assert.Len(t, ids(register.Filter{Limit: 2}), 2)

			listed, err := register.List(ctx, b.DB, register.Filter{Within: h.nextVillage})
			require.NoError(t, err)
			require.Len(t, listed, 1)
			assert.Equal(t, "张桂兰", listed[0].Name)
			assert.Len(t, listed[0].Trainings, 1)

			holders, err := register.Holders(ctx, b.DB.SQL, domain.RoleChildDirector, h.village.String(), h.nextVillage.String())
			require.NoError(t, err)
			require.Len(t, holders, 3, "%+v", holders)
			type span struct {
				worker, post string
				from, until  time.Time
			}
			var got []span
			for _, x := range holders {
				got = append(got, span{x.WorkerID, x.Jurisdiction.String(), x.From.UTC(), x.Until.UTC()})
			}
			assert.Equal(t, []span{
				{h.moved, h.village.String(), h.t0.UTC(), h.t1.UTC()},
				{h.replaced, h.village.String(), h.t2.UTC(), h.t3.UTC()},
				{h.moved, h.nextVillage.String(), h.t1.UTC(), time.Time{}.UTC()},
			}, got)
			assert.Equal(t, "李秀英", holders[1].Name)
			assert.True(t, holders[0].Holds(h.t1.Add(-time.Nanosecond)))
			assert.False(t, holders[0].Holds(h.t1))
			assert.True(t, holders[2].Holds(h.t3.AddDate(10, 0, 0)), "still held")

			none, err := register.Holders(ctx, b.DB.SQL, domain.RoleChildSupervisor, h.village.String())
			require.NoError(t, err)
			assert.Empty(t, none)
		}
		check(t)
		enginetest.RebuildFromScratch(t, b, register.Projection{})
		check(t)
	})
}
