package commands_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/sqlite"
)

// backends runs fn on a fresh SQLite store, and on a fresh PostgreSQL
// database when CARELEDGER_TEST_POSTGRES is set.
func backends(t *testing.T, fn func(t *testing.T, store eventstore.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "careledger.db"), eventstore.Options{SealKey: []byte("k")})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := pgtest.NewDatabase(t)
		s, err := postgres.Open(context.Background(), url, eventstore.Options{SealKey: []byte("k")})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
}

const (
	village      = "370902101201"
	otherVillage = "370902101202"
	county       = "370902"
)

var now = time.Date(2026, 6, 1, 10, 0, 0, 0, domain.ChinaStandardTime)

func jur(t testing.TB, s string) domain.Jurisdiction {
	j, err := domain.ParseJurisdiction(s)
	require.NoError(t, err)
	return j
}

func principal(t testing.TB, subject string, role domain.Role, j string) domain.Principal {
	return domain.Principal{Actor: domain.Actor{Subject: subject, Role: role, Jurisdiction: jur(t, j)}}
}

// world is a county with a trained village director and a caseworker.
type world struct {
	h          *commands.Handlers
	admin      domain.Principal
	director   domain.Principal
	caseworker domain.Principal
	childID    string
}

func newWorld(t *testing.T, store eventstore.Store) *world {
	ctx := context.Background()
	h := commands.New(store, commands.WithClock(func() time.Time { return now }))
	w := &world{h: h, admin: principal(t, "admin", domain.RoleAdmin, "all")}
	call := commands.Call{Principal: w.admin}
	dir, err := h.RegisterWorker(ctx, call, commands.RegisterWorker{Name: "李娟", Role: domain.RoleChildDirector, Jurisdiction: jur(t, village)})
	require.NoError(t, err)
	_, err = h.RecordTraining(ctx, call, commands.RecordTraining{WorkerID: dir.ID, Passed: true, CompletedOn: domain.NewDate(2026, 3, 1)})
	require.NoError(t, err)
	cw, err := h.RegisterWorker(ctx, call, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: jur(t, county)})
	require.NoError(t, err)
	w.director = principal(t, dir.ID, domain.RoleChildDirector, village)
	w.caseworker = principal(t, cw.ID, domain.RoleCaseworker, county)

	res, err := h.RegisterChild(ctx, commands.Call{Principal: w.director}, commands.RegisterChild{Child: newChild(t, village)})
	require.NoError(t, err)
	w.childID = res.ID
	return w
}

func newChild(t testing.TB, place string) domain.ChildRegistered {
	cats, err := domain.ParseCategories([]string{"left_behind"})
	require.NoError(t, err)
	sex, err := domain.ParseSex("female")
	require.NoError(t, err)
	return domain.ChildRegistered{
		Name: "小红", BirthDate: domain.NewDate(2016, 5, 4), Sex: sex, Jurisdiction: jur(t, place),
		Categories: cats, KeyChildFlags: []domain.KeyChildFlag{},
		Guardian:        domain.Guardian{Name: "王秀英", Relation: "grandmother"},
		LivingSituation: "与祖母同住", Schooling: "小学三年级", HukouRegistered: true,
	}
}

func (w *world) report(t testing.TB, by domain.Principal, key string) (commands.Result, error) {
	concerns, err := domain.ParseConcerns([]string{"living_alone"})
	require.NoError(t, err)
	src, _ := domain.ParseSource("visit")
	rt, _ := domain.ParseReporterType("child_director")
	res, _, err := w.h.ReceiveReport(context.Background(), commands.Call{Principal: by, IdempotencyKey: key, RequestHash: "r1"}, commands.ReceiveReport{
		ChildID: w.childID, Source: src, Reporter: domain.Reporter{Type: rt}, Concerns: concerns,
		Risk: domain.RiskHigh, ReceivedAt: now.Add(-time.Hour), Summary: "走访发现孩子独自在家",
	})
	return res, err
}

func TestReportAssignAndFollowUp(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		opened, err := w.report(t, w.director, "")
		require.NoError(t, err)
		assert.Equal(t, int64(1), opened.Version)
		require.Len(t, opened.Events, 1)
		assert.Equal(t, "case.report_received", opened.Events[0].Type)

		res, err := w.h.AssignCase(ctx, commands.Call{Principal: w.caseworker}, commands.AssignCase{CaseID: opened.ID, WorkerID: w.caseworker.Subject})
		require.NoError(t, err)
		assert.Equal(t, int64(2), res.Version)

		_, err = w.h.AssignCase(ctx, commands.Call{Principal: w.caseworker}, commands.AssignCase{CaseID: opened.ID, WorkerID: "nobody"})
		assert.ErrorIs(t, err, domain.ErrInvalid, "only a registered caseworker can be assigned")

		_, err = w.h.ForwardToPolice(ctx, commands.Call{Principal: w.director}, commands.ForwardToPolice{
			CaseID: opened.ID, OccurredAt: now.Add(-30 * time.Minute), PoliceUnit: "城关派出所"})
		require.NoError(t, err)
	})
}

func TestIdempotencyKey(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		w := newWorld(t, store)
		first, err := w.report(t, w.director, "key-1")
		require.NoError(t, err)
		head, err := store.Head(context.Background())
		require.NoError(t, err)

		again, err := w.report(t, w.director, "key-1")
		require.NoError(t, err)
		assert.Equal(t, first, again, "a retry answers as the first time")
		after, err := store.Head(context.Background())
		require.NoError(t, err)
		assert.Equal(t, head, after, "and appends nothing")

		other, err := w.report(t, w.director, "key-2")
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, other.ID)

		concerns, _ := domain.ParseConcerns([]string{"neglect"})
		src, _ := domain.ParseSource("visit")
		rt, _ := domain.ParseReporterType("child_director")
		_, _, err = w.h.ReceiveReport(context.Background(), commands.Call{Principal: w.director, IdempotencyKey: "key-1", RequestHash: "another"}, commands.ReceiveReport{
			ChildID: w.childID, Source: src, Reporter: domain.Reporter{Type: rt}, Concerns: concerns,
			Risk: domain.RiskLow, ReceivedAt: now.Add(-time.Hour), Summary: "another",
		})
		assert.ErrorIs(t, err, commands.ErrIdempotencyKeyReused)
	})
}

func TestIfMatch(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		opened, err := w.report(t, w.director, "")
		require.NoError(t, err)
		stale := int64(0)
		_, err = w.h.RecordFollowUp(ctx, commands.Call{Principal: w.caseworker, IfMatch: &stale}, commands.RecordFollowUp{
			CaseID: opened.ID, OccurredAt: now, Note: "电话回访"})
		assert.ErrorIs(t, err, commands.ErrPreconditionFailed)
		current := opened.Version
		res, err := w.h.RecordFollowUp(ctx, commands.Call{Principal: w.caseworker, IfMatch: &current}, commands.RecordFollowUp{
			CaseID: opened.ID, OccurredAt: now, Note: "电话回访"})
		require.NoError(t, err)
		assert.Equal(t, current+1, res.Version)
	})
}

// TestConcurrentCommandsRetry: ten caseworkers record follow-ups on one
// case at once without naming a version; each conflict is decided again on
// fresh state, and every follow-up lands once.
func TestConcurrentCommandsRetry(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		opened, err := w.report(t, w.director, "")
		require.NoError(t, err)
		const n = 10
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.h.RecordFollowUp(ctx, commands.Call{Principal: w.caseworker}, commands.RecordFollowUp{
					CaseID: opened.ID, OccurredAt: now, Note: fmt.Sprintf("follow-up %d", i)})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			assert.NoError(t, err, "follow-up %d", i)
		}
		events, err := store.ReadStream(ctx, domain.CaseStream(opened.ID).String(), 0, 0)
		require.NoError(t, err)
		assert.Equal(t, 1+n, len(events), "every follow-up lands once")
	})
}

func TestJurisdictionAndTraining(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		opened, err := w.report(t, w.director, "")
		require.NoError(t, err)

		// A director of the next village is told the case does not exist.
		call := commands.Call{Principal: w.admin}
		next, err := w.h.RegisterWorker(ctx, call, commands.RegisterWorker{Name: "赵敏", Role: domain.RoleChildDirector, Jurisdiction: jur(t, otherVillage)})
		require.NoError(t, err)
		_, err = w.h.RecordTraining(ctx, call, commands.RecordTraining{WorkerID: next.ID, Passed: true, CompletedOn: domain.NewDate(2026, 3, 1)})
		require.NoError(t, err)
		neighbour := principal(t, next.ID, domain.RoleChildDirector, otherVillage)
		_, err = w.h.RecordFollowUp(ctx, commands.Call{Principal: neighbour}, commands.RecordFollowUp{CaseID: opened.ID, OccurredAt: now, Note: "x"})
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = w.h.RecordVisit(ctx, commands.Call{Principal: neighbour}, commands.RecordVisit{ChildID: w.childID, OccurredAt: now, Findings: "x"})
		assert.ErrorIs(t, err, domain.ErrNotFound)

		// An untrained director may not act, but for the mandatory report —
		// receive it, forward it, respond — which carries the director's
		// qualification; nor may an unregistered one.
		fresh, err := w.h.RegisterWorker(ctx, call, commands.RegisterWorker{Name: "新主任", Role: domain.RoleChildDirector, Jurisdiction: jur(t, village)})
		require.NoError(t, err)
		untrained := principal(t, fresh.ID, domain.RoleChildDirector, village)
		_, err = w.h.RecordVisit(ctx, commands.Call{Principal: untrained}, commands.RecordVisit{ChildID: w.childID, OccurredAt: now, Findings: "走访"})
		assert.ErrorIs(t, err, domain.ErrForbidden)
		assert.ErrorContains(t, err, "初任")
		reported, err := w.report(t, untrained, "")
		require.NoError(t, err, "a mandatory report is never refused for want of training")
		_, err = w.h.ForwardToPolice(ctx, commands.Call{Principal: untrained}, commands.ForwardToPolice{CaseID: reported.ID, OccurredAt: now, PoliceUnit: "派出所"})
		require.NoError(t, err)
		_, err = w.h.RecordEmergencyResponse(ctx, commands.Call{Principal: untrained}, commands.RecordEmergencyResponse{CaseID: reported.ID, OccurredAt: now, Action: "送至亲属家"})
		require.NoError(t, err)
		_, err = w.h.RecordFollowUp(ctx, commands.Call{Principal: untrained}, commands.RecordFollowUp{CaseID: reported.ID, OccurredAt: now, Note: "回访"})
		assert.ErrorIs(t, err, domain.ErrForbidden, "a follow-up is not the report")
		stored, err := store.ReadStream(ctx, domain.CaseStream(reported.ID).String(), 0, 0)
		require.NoError(t, err)
		require.Len(t, stored, 3)
		for _, e := range stored {
			meta, err := e.Meta()
			require.NoError(t, err)
			assert.Equal(t, "untrained", meta.Actor.Qualification, "%s carries the actor's qualification", e.Type)
		}

		// A lapsed retraining is flagged on the act, never a bar.
		old, err := w.h.RegisterWorker(ctx, call, commands.RegisterWorker{Name: "老主任", Role: domain.RoleChildDirector, Jurisdiction: jur(t, village)})
		require.NoError(t, err)
		_, err = w.h.RecordTraining(ctx, call, commands.RecordTraining{WorkerID: old.ID, Passed: true,
			CompletedOn: domain.NewDate(now.Year()-2, now.Month(), 1)})
		require.NoError(t, err)
		lapsed := principal(t, old.ID, domain.RoleChildDirector, village)
		res, err := w.h.RecordFollowUp(ctx, commands.Call{Principal: lapsed}, commands.RecordFollowUp{CaseID: reported.ID, OccurredAt: now, Note: "回访"})
		require.NoError(t, err)
		visit, err := store.ReadStream(ctx, domain.CaseStream(reported.ID).String(), res.Version-1, 1)
		require.NoError(t, err)
		meta, err := visit[0].Meta()
		require.NoError(t, err)
		assert.Equal(t, "lapsed", meta.Actor.Qualification)
		trained, err := store.ReadStream(ctx, domain.CaseStream(opened.ID).String(), 0, 1)
		require.NoError(t, err)
		meta, err = trained[0].Meta()
		require.NoError(t, err)
		assert.Equal(t, "qualified", meta.Actor.Qualification, "the trained director's report")
		ghost := principal(t, "ghost", domain.RoleChildDirector, village)
		_, err = w.h.RecordVisit(ctx, commands.Call{Principal: ghost}, commands.RecordVisit{ChildID: w.childID, OccurredAt: now, Findings: "走访"})
		assert.ErrorIs(t, err, domain.ErrForbidden)

		// The trained director may.
		_, err = w.h.RecordVisit(ctx, commands.Call{Principal: w.director}, commands.RecordVisit{ChildID: w.childID, OccurredAt: now, Findings: "走访"})
		require.NoError(t, err)
	})
}

func TestReportForNewChildRegistersIt(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		concerns, _ := domain.ParseConcerns([]string{"begging"})
		src, _ := domain.ParseSource("hotline_12355")
		rt, _ := domain.ParseReporterType("anonymous")
		child := newChild(t, village)
		call := commands.Call{Principal: w.caseworker, IdempotencyKey: "hotline-1", RequestHash: "h"}
		cmd := commands.ReceiveReport{NewChild: &child, Source: src, Reporter: domain.Reporter{Type: rt},
			Concerns: concerns, Risk: domain.RiskMedium, ReceivedAt: now.Add(-10 * time.Minute), Summary: "12355来电"}
		res, childID, err := w.h.ReceiveReport(ctx, call, cmd)
		require.NoError(t, err)
		require.NotEmpty(t, childID)
		childEvents, err := store.ReadStream(ctx, domain.ChildStream(childID).String(), 0, 0)
		require.NoError(t, err)
		require.Len(t, childEvents, 1)
		assert.Equal(t, "child.registered", childEvents[0].Type)

		again, againChild, err := w.h.ReceiveReport(ctx, call, cmd)
		require.NoError(t, err)
		assert.Equal(t, res, again)
		assert.Equal(t, childID, againChild)
	})
}

// TestReachIsCheckedBeforeAnyID: a command decides what its body says —
// that the place lies within the caller's jurisdiction — before it looks
// up an id the client chose or named, and a stream outside the caller's
// reach answers as one that does not exist, whatever If-Match names.
func TestReachIsCheckedBeforeAnyID(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		const elsewhere = "370911101201" // a village of another county
		away := principal(t, "cw-away", domain.RoleCaseworker, "370911")
		chosen := newChild(t, elsewhere)
		chosen.ChildID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
		_, err := w.h.RegisterChild(ctx, commands.Call{Principal: away}, commands.RegisterChild{Child: chosen})
		require.NoError(t, err)

		register := func(id, place string) error {
			c := newChild(t, place)
			c.ChildID = id
			_, err := w.h.RegisterChild(ctx, commands.Call{Principal: w.director}, commands.RegisterChild{Child: c})
			return err
		}
		takenHere, takenThere := register(w.childID, village), register(chosen.ChildID, village)
		assert.ErrorIs(t, takenHere, commands.ErrChildIDTaken)
		require.Error(t, takenThere)
		assert.Equal(t, takenHere.Error(), takenThere.Error(), "an id in use elsewhere answers as one in use here")

		outside := register("16fd2706-8baf-433b-82eb-8c7fada847da", elsewhere)
		assert.ErrorIs(t, outside, domain.ErrForbidden)
		for _, id := range []string{w.childID, chosen.ChildID} {
			err := register(id, elsewhere)
			require.Error(t, err)
			assert.Equal(t, outside.Error(), err.Error(), "a place outside is refused alike whether or not the id is in use")
		}

		opened, err := w.report(t, w.director, "")
		require.NoError(t, err)
		for _, v := range []int64{0, 1, 2} {
			_, err := w.h.RecordFollowUp(ctx, commands.Call{Principal: away, IfMatch: &v}, commands.RecordFollowUp{
				CaseID: opened.ID, OccurredAt: now, Note: "电话回访"})
			assert.ErrorIs(t, err, domain.ErrNotFound, "If-Match %d on a case outside the caller's reach", v)
		}
	})
}

// TestIdempotentRequestsAtOnce: a client that retries while its first
// request is still running sends the same key and body twice at the same
// moment; every copy gets the first one's answer (the contract), and one
// set of events is appended — for a command that opens a stream and for
// one that adds to it.
func TestIdempotentRequestsAtOnce(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		opened, err := w.report(t, w.director, "")
		require.NoError(t, err)
		const n = 8
		for round := range 5 {
			key := fmt.Sprintf("open-%d", round)
			results := make([]commands.Result, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { results[i], errs[i] = w.report(t, w.director, key) })
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i], "round %d, copy %d of a new case", round, i)
				assert.Equal(t, results[0], results[i], "round %d, copy %d", round, i)
			}

			key = fmt.Sprintf("follow-%d", round)
			follow := func() (commands.Result, error) {
				return w.h.RecordFollowUp(ctx, commands.Call{Principal: w.caseworker, IdempotencyKey: key, RequestHash: "f1"},
					commands.RecordFollowUp{CaseID: opened.ID, OccurredAt: now, Note: "电话回访"})
			}
			for i := range n {
				wg.Go(func() { results[i], errs[i] = follow() })
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i], "round %d, copy %d of a follow-up", round, i)
				assert.Equal(t, results[0], results[i], "round %d, copy %d", round, i)
			}
		}
		events, err := store.ReadStream(ctx, domain.CaseStream(opened.ID).String(), 0, 0)
		require.NoError(t, err)
		assert.Len(t, events, 1+5, "one follow-up per key")
	})
}

// TestNewChildReportsAtOnce: the same report of a new child (same key,
// same body) sent eight times at once registers the child once, opens one
// case, and answers every copy as the first.
func TestNewChildReportsAtOnce(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		concerns, _ := domain.ParseConcerns([]string{"begging"})
		src, _ := domain.ParseSource("hotline_12355")
		rt, _ := domain.ParseReporterType("anonymous")
		for round := range 5 {
			child := newChild(t, village)
			call := commands.Call{Principal: w.caseworker, IdempotencyKey: fmt.Sprintf("hotline-%d", round), RequestHash: "h"}
			cmd := commands.ReceiveReport{NewChild: &child, Source: src, Reporter: domain.Reporter{Type: rt},
				Concerns: concerns, Risk: domain.RiskMedium, ReceivedAt: now.Add(-10 * time.Minute), Summary: "12355来电"}
			const n = 8
			results := make([]commands.Result, n)
			children := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { results[i], children[i], errs[i] = w.h.ReceiveReport(ctx, call, cmd) })
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i], "round %d, copy %d", round, i)
				assert.Equal(t, results[0], results[i], "round %d, copy %d", round, i)
				assert.Equal(t, children[0], children[i], "round %d, copy %d", round, i)
			}
			events, err := store.ReadStream(ctx, domain.ChildStream(children[0]).String(), 0, 0)
			require.NoError(t, err)
			assert.Len(t, events, 1, "round %d: the child is registered once", round)
		}
	})
}
