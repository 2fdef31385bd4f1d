package childview_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/childview"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/tests/readtest"
)

// row is what the oracle compares: rm_children's columns, JSON decoded.
type row struct {
	ID, Jurisdiction string
	Categories       []string
	KeyChild         bool
	Facts            domain.ChildFacts
}

func rowsOfView(t *testing.T, db *sql.DB) []row {
	rows, err := db.Query(`SELECT child_id, jurisdiction, categories, key_child, facts FROM rm_children ORDER BY child_id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		var categories, facts []byte
		var keyChild int
		require.NoError(t, rows.Scan(&r.ID, &r.Jurisdiction, &categories, &keyChild, &facts))
		require.NoError(t, json.Unmarshal(categories, &r.Categories))
		require.NoError(t, r.Facts.UnmarshalBinary(facts))
		r.KeyChild = keyChild == 1
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

// wantRows folds every child stream with the domain's fold and spells the
// row the view must hold for it.
func wantRows(t *testing.T, store eventstore.Store) []row {
	var out []row
	for stream, history := range commandstest.Streams(t, store, domain.StreamChild) {
		f := domain.FoldChild(history)
		require.Equal(t, stream, domain.ChildStream(f.ID).String())
		out = append(out, row{ID: f.ID, Jurisdiction: f.Jurisdiction.String(), Categories: strings(f.Categories),
			KeyChild: len(f.KeyChildFlags) > 0, Facts: viaSnapshot(t, f)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// viaSnapshot is the facts as a snapshot gives them back.
func viaSnapshot(t *testing.T, f domain.ChildFacts) domain.ChildFacts {
	b, err := f.MarshalBinary()
	require.NoError(t, err)
	var out domain.ChildFacts
	require.NoError(t, out.UnmarshalBinary(b))
	return out
}

func strings[T fmt.Stringer](ts []T) []string {
	out := []string{}
	for _, x := range ts {
		out = append(out, x.String())
	}
	return out
}

// wantFile is a child's file as Find must give it, spelled out from the
// domain's fold of its stream.
func wantFile(t *testing.T, history []domain.Recorded) childview.Child {
	f := domain.FoldChild(history)
	c := childview.Child{ID: f.ID, BirthDate: strconv.Itoa(f.BirthYear) + "-01-01", Sex: f.Sex.String(),
		Jurisdiction: f.Jurisdiction, Categories: strings(f.Categories), DifficultyReasons: strings(f.DifficultyReasons),
		KeyChildFlags: strings(f.KeyChildFlags), KeyChild: len(f.KeyChildFlags) > 0, HukouRegistered: f.HukouRegistered,
		RegisteredAt: f.RegisteredAt.UTC(), Erased: f.ErasedAt != nil, Version: history[len(history)-1].Version}
	if len(f.Visits) > 0 {
		at := f.Visits[len(f.Visits)-1].UTC()
		c.LastVisitAt = &at
	}
	return c
}

// wantFiles are every child's file as Find must give it, by id.
func wantFiles(t *testing.T, store eventstore.Store) map[string]childview.Child {
	out := map[string]childview.Child{}
	for _, history := range commandstest.Streams(t, store, domain.StreamChild) {
		c := wantFile(t, history)
		out[c.ID] = c
	}
	return out
}

// TestViewOracle: the view equals the domain's fold of each child's
// stream, while the engine follows the writers and after a rebuild from
// scratch; Find gives each file as the fold does.
func TestViewOracle(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := readtest.RunWhileSeeded(t, b, 11, 2, 20, childview.Projection{})

		want, files := wantRows(t, b.Store), wantFiles(t, b.Store)
		require.Len(t, want, 4) // A, B, C and the case workload's child
		check := func(t *testing.T) {
			assert.Equal(t, want, rowsOfView(t, b.DB.SQL))
			for id, file := range files {
				got, err := childview.Find(ctx, b.DB, id)
				require.NoError(t, err)
				assert.Equal(t, file, got)
			}
			listed, err := childview.List(ctx, b.DB, childview.Filter{})
			require.NoError(t, err)
			require.Len(t, listed, len(files))
			for _, l := range listed {
				f := files[l.ID]
				assert.Equal(t, childview.Listing{ID: f.ID, BirthDate: f.BirthDate, Sex: f.Sex, Jurisdiction: f.Jurisdiction,
					Categories: f.Categories, KeyChildFlags: f.KeyChildFlags, KeyChild: f.KeyChild, LastVisitAt: f.LastVisitAt,
					Erased: f.Erased, Version: f.Version}, l)
			}
		}
		check(t)
		enginetest.RebuildFromScratch(t, b, childview.Projection{})
		check(t)

		// The rules the fold and the view must both keep, spelled out.
		a, err := childview.Find(ctx, b.DB, s.ChildA)
		require.NoError(t, err)
		require.NotNil(t, a.LastVisitAt)
		assert.Equal(t, s.LatestVisitA.UTC(), *a.LastVisitAt, "a late-entered earlier visit does not move the last visit back")
		assert.Equal(t, []string{"poor_guardianship", "dropout"}, a.KeyChildFlags)
		assert.True(t, a.KeyChild)
		assert.Equal(t, "2014-01-01", a.BirthDate, "only the year of birth is kept")
		assert.Equal(t, int64(7), a.Version, "registration, update, three visits, entrustment, correction")
		for _, personal := range []any{a.Name, a.IDNumber, a.Guardian, a.EntrustedGuardian, a.LivingSituation, a.Schooling} {
			assert.Nil(t, personal, "personal data never comes from the view")
		}

		erased, err := childview.Find(ctx, b.DB, s.ChildB)
		require.NoError(t, err)
		assert.True(t, erased.Erased)
		assert.Equal(t, "2012-01-01", erased.BirthDate)
		assert.Equal(t, []string{"in_difficulty"}, erased.Categories, "categories are not personal data")
		assert.Equal(t, []string{"poverty"}, erased.DifficultyReasons)

		c, err := childview.Find(ctx, b.DB, s.ChildC)
		require.NoError(t, err)
		assert.True(t, c.HukouRegistered)
		assert.False(t, c.KeyChild)
		assert.Equal(t, []string{}, c.KeyChildFlags)
		assert.Equal(t, "370102001002", c.Jurisdiction.String())

		_, err = childview.Find(ctx, b.DB, "no-such-child")
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}

// TestList: the list filters by place, category and key-child flag,
// pages by id, and refuses a word that is not a category.
func TestList(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		enginetest.CatchUp(t, b, childview.Projection{})
		ids := func(f childview.Filter) []string {
			t.Helper()
			got, err := childview.List(ctx, b.DB, f)
			require.NoError(t, err)
			out := []string{}
			for _, c := range got {
				out = append(out, c.ID)
			}
			return out
		}
		sorted := func(xs ...string) []string { sort.Strings(xs); return xs }
		yes, no := true, false

		assert.Equal(t, sorted(s.ChildA, s.ChildB, s.ChildC), ids(childview.Filter{}))
		assert.Equal(t, sorted(s.ChildA, s.ChildB, s.ChildC), ids(childview.Filter{Within: domain.All}))
		assert.Equal(t, sorted(s.ChildA, s.ChildB), ids(childview.Filter{Within: enginetest.Jur(t, "370902")}))
		assert.Equal(t, []string{s.ChildA}, ids(childview.Filter{Within: enginetest.Jur(t, "370902101")}))
		assert.Equal(t, []string{s.ChildC}, ids(childview.Filter{Category: "scattered_orphan"}))
		assert.Equal(t, []string{}, ids(childview.Filter{Category: "left_behind", Within: enginetest.Jur(t, "3701")}))
		assert.Equal(t, []string{s.ChildA}, ids(childview.Filter{KeyChild: &yes}))
		assert.Equal(t, sorted(s.ChildB, s.ChildC), ids(childview.Filter{KeyChild: &no}))

		all := sorted(s.ChildA, s.ChildB, s.ChildC)
		assert.Equal(t, all[:2], ids(childview.Filter{Limit: 2}))
		assert.Equal(t, all[2:], ids(childview.Filter{Limit: 2, After: all[1]}))

		got, err := childview.List(ctx, b.DB, childview.Filter{KeyChild: &yes})
		require.NoError(t, err)
		require.Len(t, got, 1)
		a := got[0]
		assert.Nil(t, a.Name)
		assert.Equal(t, "2014-01-01", a.BirthDate)
		assert.Equal(t, "female", a.Sex)
		assert.Equal(t, "370902101201", a.Jurisdiction.String())
		assert.Equal(t, []string{"left_behind"}, a.Categories)
		assert.Equal(t, []string{"poor_guardianship", "dropout"}, a.KeyChildFlags)
		require.NotNil(t, a.LastVisitAt)
		assert.Equal(t, s.LatestVisitA.UTC(), *a.LastVisitAt)
		assert.False(t, a.Erased)
		assert.Equal(t, int64(7), a.Version)
		erased, err := childview.List(ctx, b.DB, childview.Filter{Category: "in_difficulty"})
		require.NoError(t, err)
		require.Len(t, erased, 1)
		assert.True(t, erased[0].Erased)

		_, err = childview.List(ctx, b.DB, childview.Filter{Category: "orphan"})
		var invalid *domain.InvalidError
		require.ErrorAs(t, err, &invalid)
		assert.Equal(t, "category", invalid.Field)
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
}

// TestJSON: a file and a listing keep the JSON names of API.md's Child,
// with null for the personal fields the view does not hold.
func TestJSON(t *testing.T) {
	t.Parallel()
	visit := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)
	c := childview.Child{ID: "c1", BirthDate: "2014-01-01", Sex: "female", Jurisdiction: enginetest.Jur(t, "370902101201"),
		Categories: []string{"left_behind"}, DifficultyReasons: []string{}, KeyChildFlags: []string{}, HukouRegistered: true,
		RegisteredAt: visit, LastVisitAt: &visit, Version: 3}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"c1","name":null,"id_number":null,"birth_date":"2014-01-01","sex":"female",
		"jurisdiction":"370902101201","categories":["left_behind"],"difficulty_reasons":[],"key_child_flags":[],
		"key_child":false,"guardian":null,"entrusted_guardian":null,"living_situation":null,"schooling":null,
		"hukou_registered":true,"registered_at":"2026-05-01T02:00:00Z","last_visit_at":"2026-05-01T02:00:00Z",
		"erased":false,"version":3}`, string(b))
	l := childview.Listing{ID: "c1", BirthDate: "2014-01-01", Sex: "male", Jurisdiction: enginetest.Jur(t, "370902101201"),
		Categories: []string{"in_difficulty"}, KeyChildFlags: []string{"dropout"}, KeyChild: true, Erased: true, Version: 9}
	b, err = json.Marshal(l)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"c1","name":null,"birth_date":"2014-01-01","sex":"male","jurisdiction":"370902101201",
		"categories":["in_difficulty"],"key_child_flags":["dropout"],"key_child":true,"last_visit_at":null,
		"erased":true,"version":9}`, string(b))
}

// TestNoPersonalData: rm_children has no column for a personal field, and
// no seeded name, ID number, full birth date, phone, place of living,
// school or note appears anywhere in its rows.
func TestNoPersonalData(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		commandstest.Workload(t, b.Store, enginetest.Now, 7, 1, 5)
		enginetest.CatchUp(t, b, childview.Projection{})

		sensitive := append(s.Sensitive, "小明", "张三", "2014-03-15", "2012-07-01") // and the full birth dates of A and B
		columns, n := enginetest.HoldsNone(t, b.DB, "rm_children", sensitive)
		assert.Equal(t, []string{"child_id", "jurisdiction", "categories", "key_child", "facts"}, columns,
			"no name, id_number, guardian, entrusted_guardian, living_situation or schooling")
		assert.Equal(t, 4, n)

		// The erased child's file keeps its place, categories and year of birth.
		erased, err := childview.Find(context.Background(), b.DB, s.ChildB)
		require.NoError(t, err)
		assert.True(t, erased.Erased)
		assert.Equal(t, "2012-01-01", erased.BirthDate)
	})
}

// TestSecondRegistration: a second ChildRegistered in a stream — which no
// command appends, but the log may hold — neither stops the view nor
// changes the file but for its version, as the domain's fold has it (the
// old view stopped on it).
func TestSecondRegistration(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		e := enginetest.CatchUp(t, b, childview.Projection{})
		before, err := childview.Find(ctx, b.DB, s.ChildA)
		require.NoError(t, err)

		by := domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}
		again := domain.ChildRegistered{ChildID: s.ChildA, Name: "另一个名字", BirthDate: domain.NewDate(2010, 1, 1),
			Sex: commandstest.Must(domain.ParseSex("male")), Jurisdiction: enginetest.Jur(t, "370102001002"),
			Categories: commandstest.Must(domain.ParseCategories([]string{"scattered_orphan"})), KeyChildFlags: []domain.KeyChildFlag{},
			Guardian: domain.Guardian{Name: "另一个监护人", Relation: "父亲"}}
		events, err := eventlog.New().Encode([]domain.Change{{Event: again, Actor: by, OccurredAt: enginetest.Now}}, eventlog.Envelope{})
		require.NoError(t, err)
		_, err = b.Store.Append(ctx, eventlog.StreamRef(domain.ChildStream(s.ChildA)), eventstore.AnyVersion, events...)
		require.NoError(t, err)
		require.NoError(t, e.CatchUp(ctx))
		for _, st := range e.Statuses() {
			assert.NoError(t, st.Stopped, "%s stopped", st.Name)
		}

		after, err := childview.Find(ctx, b.DB, s.ChildA)
		require.NoError(t, err)
		assert.Equal(t, before.Version+1, after.Version)
		after.Version = before.Version
		assert.Equal(t, before, after, "the file is the first registration's")
		assert.Equal(t, wantRows(t, b.Store), rowsOfView(t, b.DB.SQL), "as the domain's fold has it")

		enginetest.RebuildFromScratch(t, b, childview.Projection{})
		rebuilt, err := childview.Find(ctx, b.DB, s.ChildA)
		require.NoError(t, err)
		assert.Equal(t, before.Version+1, rebuilt.Version)
	})
}
