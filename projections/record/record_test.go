package record_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog/personal"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
	"github.com/careledger/careledger/projections/record"
)

// world is a store that seals personal data, a county over it (the
// command handlers and a registered caseworker) and a registered child.
type world struct {
	commandstest.County
	store eventstore.Store
	child string
}

var (
	county  = "370902"
	village = "370902101201"
)

func newWorld(t *testing.T, b enginetest.Backend) world {
	ctx := context.Background()
	keys, err := privacy.OpenKeys(ctx, b.DB.SQL, b.DB.Dialect == readdb.SQLite, []byte("record test master key, 32 bytes"))
	require.NoError(t, err)
	store := privacy.Wrap(b.Store, keys, personal.Catalog())
	wd := world{County: commandstest.NewCounty(t, store), store: store}
	wd.child = wd.registerChild(t, "小明", "370902201503041231")
	return wd
}

func (w world) registerChild(t *testing.T, name, idNumber string) string {
	cats, _ := domain.ParseCategories([]string{"left_behind"})
	sex, _ := domain.ParseSex("male")
	c, err := w.Handlers.RegisterChild(context.Background(), w.Caseworker, commands.RegisterChild{Child: domain.ChildRegistered{
		Name: name, IDNumber: idNumber, BirthDate: domain.NewDate(2015, 3, 4), Sex: sex, Jurisdiction: enginetest.Jur(t, village),
		Categories: cats, Guardian: domain.Guardian{Name: "张三", Relation: "grandfather", Phone: "13800001111"},
		LivingSituation: "与祖父同住", Schooling: "村小三年级"}})
	require.NoError(t, err)
	return c.ID
}

func (w world) receiveReport(t *testing.T, at time.Time) string {
	return w.Report(t, w.child, at, domain.RiskHigh, "独自在家", "living_alone")
}

// TestCaseEventsPaginateByVersion: a case's events come in stream order,
// page by page after a version, each with its place in the hash chain and
// its data as the store gives it, in API.md's shape.
func TestCaseEventsPaginateByVersion(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		w := newWorld(t, b)
		received := time.Now().Add(-time.Hour).Truncate(time.Second)
		caseID := w.receiveReport(t, received)
		for i := range 4 {
			_, err := w.Handlers.RecordFollowUp(ctx, w.Caseworker, commands.RecordFollowUp{CaseID: caseID, OccurredAt: received.Add(time.Duration(i+1) * time.Minute), Note: "回访"})
			require.NoError(t, err)
		}
		rec := record.New(w.store)

		var all []record.Event
		var pages [][]int64
		after := int64(0)
		for {
			page, err := rec.CaseEvents(ctx, caseID, after, 2)
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			var versions []int64
			for _, e := range page {
				versions = append(versions, e.StreamVersion)
			}
			pages = append(pages, versions)
			all = append(all, page...)
			after = page[len(page)-1].StreamVersion
		}
		assert.Equal(t, [][]int64{{1, 2}, {3, 4}, {5}}, pages)
		whole, err := rec.CaseEvents(ctx, caseID, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, all, whole, "no limit reads to the end")

		stored, err := w.store.ReadStream(ctx, domain.CaseStream(caseID).String(), 0, 0)
		require.NoError(t, err)
		require.Len(t, all, len(stored))
		for i, e := range all {
			s := stored[i]
			assert.Equal(t, s.ID, e.EventID)
			assert.Equal(t, "case-"+caseID, e.StreamID)
			assert.Equal(t, s.GlobalPosition, e.GlobalPosition)
			assert.Equal(t, s.Hash.String(), e.Hash)
			assert.Equal(t, s.PrevHash.String(), e.PrevHash)
			assert.Equal(t, w.WorkerID, e.Actor.Subject)
			assert.Equal(t, "caseworker", e.Actor.Role)
			assert.Equal(t, county, e.Actor.Jurisdiction)
		}
		assert.Equal(t, "case.report_received", all[0].Type)
		assert.True(t, received.Equal(all[0].OccurredAt))
		var report map[string]any
		require.NoError(t, json.Unmarshal(all[0].Data, &report))
		assert.Equal(t, "独自在家", report["summary"], "the data as the store opens it")

		// The JSON is API.md's Event, hashes spelled as the store spells them.
		raw, err := json.Marshal(all[1])
		require.NoError(t, err)
		var shape map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &shape))
		for _, k := range []string{"event_id", "type", "schema_version", "stream_id", "stream_version", "global_position",
			"occurred_at", "recorded_at", "actor", "prev_hash", "hash", "data"} {
			assert.Contains(t, shape, k)
		}
		storeHash, err := json.Marshal(stored[1].Hash)
		require.NoError(t, err)
		assert.JSONEq(t, string(storeHash), string(shape["hash"]))
		assert.JSONEq(t, `{"subject":"`+w.WorkerID+`","role":"caseworker","jurisdiction":"370902","qualification":"qualified"}`, string(shape["actor"]), "with the qualification as it stood at the act")

		none, err := rec.CaseEvents(ctx, "no-such-case", 0, 10)
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

// TestFactsFoldFromTheLog: a case, a child and a worker read now, through
// the domain's folds; what does not exist is domain.ErrNotFound (or not ok).
func TestFactsFoldFromTheLog(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		w := newWorld(t, b)
		received := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
		caseID := w.receiveReport(t, received)
		_, err := w.Handlers.AssignCase(ctx, w.Caseworker, commands.AssignCase{CaseID: caseID, WorkerID: w.WorkerID})
		require.NoError(t, err)
		_, err = w.Handlers.ForwardToPolice(ctx, w.Caseworker, commands.ForwardToPolice{CaseID: caseID, OccurredAt: received.Add(30 * time.Minute), PoliceUnit: "派出所"})
		require.NoError(t, err)
		visited := received.Add(time.Hour)
		_, err = w.Handlers.RecordVisit(ctx, w.Caseworker, commands.RecordVisit{ChildID: w.child, OccurredAt: visited, Findings: "在家"})
		require.NoError(t, err)
		rec := record.New(w.store)

		c, err := rec.Case(ctx, caseID)
		require.NoError(t, err)
		assert.Equal(t, caseID, c.ID)
		assert.Equal(t, w.child, c.ChildID)
		assert.Equal(t, village, c.Jurisdiction.String())
		assert.Equal(t, w.WorkerID, c.Assignee)
		require.NotNil(t, c.PoliceReportedAt)
		assert.True(t, received.Add(30*time.Minute).Equal(*c.PoliceReportedAt))
		assert.Equal(t, int64(3), c.Version)
		_, err = rec.Case(ctx, "no-such-case")
		assert.ErrorIs(t, err, domain.ErrNotFound)

		ch, err := rec.Child(ctx, w.child)
		require.NoError(t, err)
		assert.Equal(t, w.child, ch.ID)
		assert.Equal(t, village, ch.Jurisdiction.String())
		assert.Equal(t, 2015, ch.BirthYear)
		require.Len(t, ch.Visits, 1)
		assert.True(t, visited.Equal(ch.Visits[0]))
		_, err = rec.Child(ctx, "no-such-child")
		assert.ErrorIs(t, err, domain.ErrNotFound)

		wf, ok, err := rec.Worker(ctx, w.WorkerID)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, "王芳", wf.Name)
		assert.Equal(t, domain.RoleCaseworker, wf.Role)
		assert.Equal(t, county, wf.Jurisdiction.String())
		for _, id := range []string{"no-such-worker", "", w.child} {
			_, ok, err = rec.Worker(ctx, id)
			require.NoError(t, err)
			assert.False(t, ok, "worker %q", id)
		}

		v, err := rec.Verify(ctx)
		require.NoError(t, err)
		head, err := w.store.Head(ctx)
		require.NoError(t, err)
		assert.True(t, v.OK)
		assert.Equal(t, head.Position, v.Checked)
	})
}

// TestPersonalThroughThePrivacyStore: a child's personal data reads in
// clear through the store that opens it; an erased child's reads as nils
// and a birth date that keeps its year; a child without a file has none.
func TestPersonalThroughThePrivacyStore(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		w := newWorld(t, b)
		erased := w.registerChild(t, "小红", "")
		name := "小明明"
		_, err := w.Handlers.UpdateChildProfile(ctx, w.Caseworker, commands.UpdateChildProfile{ChildID: w.child, Update: domain.ChildProfileUpdated{Name: &name}})
		require.NoError(t, err)
		_, err = w.Handlers.EraseChild(ctx, w.Admin, commands.EraseChild{ChildID: erased, Reason: "监护人申请删除"})
		require.NoError(t, err)
		rec := record.New(w.store)

		got, err := rec.Personal(ctx, w.child, erased, "no-such-child")
		require.NoError(t, err)
		require.Contains(t, got, w.child)
		p := got[w.child]
		require.NotNil(t, p.Name)
		assert.Equal(t, "小明明", *p.Name, "the file as updated")
		require.NotNil(t, p.IDNumber)
		assert.Equal(t, "370902201503041231", *p.IDNumber)
		assert.Equal(t, "2015-03-04", p.BirthDate)
		require.NotNil(t, p.Guardian)
		assert.Equal(t, domain.Guardian{Name: "张三", Relation: "grandfather", Phone: "13800001111"}, *p.Guardian)
		assert.Nil(t, p.EntrustedGuardian)
		require.NotNil(t, p.LivingSituation)
		assert.Equal(t, "与祖父同住", *p.LivingSituation)
		require.NotNil(t, p.Schooling)
		assert.Equal(t, "村小三年级", *p.Schooling)

		require.Contains(t, got, erased)
		assert.Equal(t, record.Personal{BirthDate: "2015-01-01"}, got[erased], "erased: nils and the year of birth")
		assert.NotContains(t, got, "no-such-child")

		// The store underneath holds them sealed: it is the privacy store
		// that opened them.
		raw, err := b.Store.ReadStream(ctx, domain.ChildStream(w.child).String(), 0, 0)
		require.NoError(t, err)
		for _, e := range raw {
			assert.NotContains(t, string(e.Data), "小明")
			assert.NotContains(t, string(e.Data), "370902201503041231")
		}
	})
}

// TestAsOfLeavesOutWhatWasRecordedLater: streams as they stood at a moment
// hold only the events recorded by then, decoded, with the hash of the last
// of them; a stream with none by then is absent.
func TestAsOfLeavesOutWhatWasRecordedLater(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		w := newWorld(t, b)
		caseID := w.receiveReport(t, time.Now().Add(-48*time.Hour).Truncate(time.Second))
		time.Sleep(5 * time.Millisecond)
		before := time.Now()
		time.Sleep(5 * time.Millisecond)
		// Entered after the moment, though it happened before it.
		visit, err := w.Handlers.RecordVisit(ctx, w.Caseworker, commands.RecordVisit{ChildID: w.child, OccurredAt: time.Now().Add(-24 * time.Hour), Findings: "家中无人"})
		require.NoError(t, err)
		later := w.registerChild(t, "小刚", "")
		rec := record.New(w.store)
		ids := []domain.StreamID{domain.ChildStream(w.child), domain.CaseStream(caseID), domain.ChildStream(later), domain.ChildStream("none")}

		then, err := rec.AsOf(ctx, before, ids...)
		require.NoError(t, err)
		now, err := rec.AsOf(ctx, time.Time{}, ids...)
		require.NoError(t, err)

		positions := func(s record.Stream) []int64 {
			var out []int64
			for _, r := range s.Events {
				out = append(out, r.Position)
			}
			return out
		}
		assert.NotContains(t, positions(then[domain.ChildStream(w.child)]), visit.LastPosition(), "recorded after the moment")
		assert.Contains(t, positions(now[domain.ChildStream(w.child)]), visit.LastPosition())
		assert.NotContains(t, then, domain.ChildStream(later), "registered after the moment")
		assert.Contains(t, now, domain.ChildStream(later))
		assert.NotContains(t, now, domain.ChildStream("none"))
		require.Contains(t, then, domain.CaseStream(caseID))
		assert.Equal(t, now[domain.CaseStream(caseID)], then[domain.CaseStream(caseID)], "nothing recorded later in the case")

		// Each stream's last hash is its last visible event's.
		for id, s := range then {
			stored, err := w.store.ReadStream(ctx, id.String(), 0, 0)
			require.NoError(t, err)
			last := s.Events[len(s.Events)-1]
			assert.Equal(t, stored[last.Version-1].Hash.String(), s.LastHash, "%s", id)
			assert.Equal(t, id, last.StreamID)
		}
		_, isVisit := now[domain.ChildStream(w.child)].Events[1].Event.(domain.VisitRecorded)
		assert.True(t, isVisit, "decoded")

		empty, err := rec.AsOf(ctx, before)
		require.NoError(t, err)
		assert.Empty(t, empty)
	})
}

// TestVerifyGoesOnFromTheHeadVerified: the reader's first verification
// walks the whole log; the next walks what was appended since (and the
// head's event again) and still covers the whole log; a reader told to walk
// the whole log every nanosecond does so each time.
func TestVerifyGoesOnFromTheHeadVerified(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		w := newWorld(t, b)
		caseID := w.receiveReport(t, time.Now().Add(-time.Hour).Truncate(time.Second))
		rec := record.New(w.store, record.FullWalkEvery(time.Hour))
		first, err := rec.Verify(ctx)
		require.NoError(t, err)
		require.True(t, first.OK, first.Reason)
		assert.True(t, first.Full)
		assert.Equal(t, first.Head.Position, first.Walked)

		for i := range 3 {
			_, err := w.Handlers.RecordFollowUp(ctx, w.Caseworker, commands.RecordFollowUp{CaseID: caseID, OccurredAt: time.Now().Add(time.Duration(i-30) * time.Minute), Note: "回访"})
			require.NoError(t, err)
		}
		head, err := w.store.Head(ctx)
		require.NoError(t, err)
		next, err := rec.Verify(ctx)
		require.NoError(t, err)
		require.True(t, next.OK, next.Reason)
		assert.False(t, next.Full)
		assert.Equal(t, head, next.Head)
		assert.Equal(t, head.Position, next.Checked, "it covers the whole log")
		assert.Equal(t, head.Position-first.Head.Position+1, next.Walked, "it walked the three follow-ups and the head verified before")
		assert.Equal(t, first.LastFullWalk, next.LastFullWalk)
		assert.Equal(t, eventstore.VerifierStats{Checks: 2, Walks: 2, FullWalks: 1, EventsWalked: first.Walked + next.Walked}, rec.VerifierStats())

		always := record.New(w.store, record.FullWalkEvery(time.Nanosecond))
		for range 2 {
			c, err := always.Verify(ctx)
			require.NoError(t, err)
			assert.True(t, c.Full)
			assert.Equal(t, head.Position, c.Walked)
		}
	})
}
