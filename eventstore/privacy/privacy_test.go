package privacy_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/eventstore/sqlite"
)

// backend is a store and a handle on its database for the keys, and a way
// to read every byte the database holds of the events.
type backend struct {
	inner  eventstore.Store
	db     *sql.DB
	sqlite bool
	// rawDump is what someone with the database's files sees.
	rawDump func(t *testing.T) string
}

func backends(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "careledger.db")
		s, err := sqlite.Open(context.Background(), path, eventstore.Options{SealKey: []byte("k")})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		fn(t, backend{inner: s, db: db, sqlite: true, rawDump: func(t *testing.T) string {
			var all strings.Builder
			for _, f := range []string{path, path + "-wal"} {
				b, err := os.ReadFile(f)
				if err == nil {
					all.Write(b)
				}
			}
			return all.String()
		}})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := pgtest.NewDatabase(t)
		s, err := postgres.Open(context.Background(), url, eventstore.Options{SealKey: []byte("k")})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		db := stdlib.OpenDBFromPool(s.Pool())
		fn(t, backend{inner: s, db: db, rawDump: func(t *testing.T) string {
			var all strings.Builder
			for _, q := range []string{`SELECT coalesce(string_agg(data::text, ' '), '') FROM events`,
				`SELECT coalesce(string_agg(coalesce(wrapped, ''), ' '), '') FROM careledger_data_keys`} {
				var s string
				require.NoError(t, db.QueryRow(q).Scan(&s))
				all.WriteString(s)
			}
			return all.String()
		}})
	})
}

func masterKey(b byte) []byte { return []byte(strings.Repeat(string(rune('a'+b)), 32)) }

func event(t testing.TB, typ string, data any) eventstore.NewEvent {
	raw, err := json.Marshal(data)
	require.NoError(t, err)
	return eventstore.NewEvent{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: raw, OccurredAt: time.Now(),
		Metadata: eventstore.Metadata{Actor: eventstore.Actor{Subject: "w", Role: "caseworker", Jurisdiction: "370902"}}}
}

var child = map[string]any{
	"child_id": "c1", "name": "王小明", "id_number": "370902201503041234", "birth_date": "2015-03-04", "sex": "male",
	"jurisdiction": "370902101201", "categories": []string{"left_behind"}, "key_child_flags": []string{},
	"guardian":         map[string]any{"name": "王大爷", "relation": "grandfather", "phone": "13800001111"},
	"living_situation": "与祖父同住", "schooling": "村小三年级", "hukou_registered": true,
}

func data(t *testing.T, e eventstore.Event) map[string]any {
	var m map[string]any
	require.NoError(t, json.Unmarshal(e.Data, &m))
	return m
}

// TestPersonalDataIsSealedAtRestAndOpensOnRead: the database never holds a
// name, ID number or phone in clear; reads give them back as written; a
// case's notes are sealed under its child's key.
func TestPersonalDataIsSealedAtRestAndOpensOnRead(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		keys, err := privacy.OpenKeys(ctx, b.db, b.sqlite, masterKey(0))
		require.NoError(t, err)
		s := privacy.Wrap(b.inner, keys, privacy.TestCatalog{})
		_, err = s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, event(t, "child.registered", child))
		require.NoError(t, err)
		report := map[string]any{"case_id": "k1", "child_id": "c1", "jurisdiction": "370902101201", "source": "hotline_12355",
			"reporter": map[string]any{"type": "neighbour", "name": "李四婶", "phone": "13912345678"}, "concerns": []string{"living_alone"},
			"risk": "high", "summary": "王小明独自在家三天"}
		_, err = s.Append(ctx, eventstore.StreamRef{ID: "case-k1", Type: "case"}, eventstore.NoStream, event(t, "case.report_received", report))
		require.NoError(t, err)
		_, err = s.Append(ctx, eventstore.StreamRef{ID: "case-k1", Type: "case"}, eventstore.Exactly(1),
			event(t, "case.follow_up_recorded", map[string]any{"note": "王大爷已回家 13800001111", "method": "phone"}))
		require.NoError(t, err)

		dump := b.rawDump(t)
		for _, secret := range []string{"王小明", "370902201503041234", "13800001111", "王大爷", "李四婶", "13912345678", "2015-03-04", "与祖父同住"} {
			assert.NotContains(t, dump, secret, "in clear in the database")
		}
		assert.Contains(t, dump, "370902101201", "what is not personal stays in clear")

		got, err := s.ReadStream(ctx, "child-c1", 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "王小明", data(t, got[0])["name"])
		assert.Equal(t, "13800001111", data(t, got[0])["guardian"].(map[string]any)["phone"])
		cases, err := s.ReadStreams(ctx, []string{"case-k1"}, 0)
		require.NoError(t, err)
		require.Len(t, cases["case-k1"], 2)
		assert.Equal(t, "李四婶", data(t, cases["case-k1"][0])["reporter"].(map[string]any)["name"])
		assert.Equal(t, "王大爷已回家 13800001111", data(t, cases["case-k1"][1])["note"])
		log, err := s.ReadLog(ctx, 0, 10)
		require.NoError(t, err)
		assert.Equal(t, "王小明独自在家三天", data(t, log[1])["summary"])

		// A fresh handle (a restart) opens them too; the raw store does not.
		keys2, err := privacy.OpenKeys(ctx, b.db, b.sqlite, masterKey(0))
		require.NoError(t, err)
		again, err := privacy.Wrap(b.inner, keys2, privacy.TestCatalog{}).ReadLog(ctx, 0, 10)
		require.NoError(t, err)
		assert.Equal(t, "王大爷已回家 13800001111", data(t, again[2])["note"])
		raw, err := b.inner.ReadLog(ctx, 0, 10)
		require.NoError(t, err)
		assert.NotContains(t, string(raw[0].Data), "王小明")
	})
}

// TestErasureShredsAndKeepsTheChain: after the erasure the personal fields
// read as null (the birth date keeps its year), the events stay countable,
// the hash chain verifies, and later personal data about the child is not
// readable either.
func TestErasureShredsAndKeepsTheChain(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		keys, err := privacy.OpenKeys(ctx, b.db, b.sqlite, masterKey(0))
		require.NoError(t, err)
		s := privacy.Wrap(b.inner, keys, privacy.TestCatalog{})
		ref := eventstore.StreamRef{ID: "child-c1", Type: "child"}
		_, err = s.Append(ctx, ref, eventstore.NoStream, event(t, "child.registered", child),
			event(t, "child.visit_recorded", map[string]any{"findings": "王小明独自在家", "concerns": []string{"living_alone"}}))
		require.NoError(t, err)
		_, err = s.Append(ctx, ref, eventstore.Exactly(2), event(t, "child.data_erased", map[string]any{"reason": "依法删除"}))
		require.NoError(t, err)
		_, err = s.Append(ctx, ref, eventstore.Exactly(3), event(t, "child.visit_recorded", map[string]any{"findings": "王小明已入学", "concerns": []string{}}))
		require.NoError(t, err)

		for _, handle := range []*privacy.Store{s, privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})} {
			got, err := handle.ReadStream(ctx, "child-c1", 0, 0)
			require.NoError(t, err)
			require.Len(t, got, 4, "events stay countable")
			reg := data(t, got[0])
			for _, f := range []string{"name", "id_number", "guardian", "living_situation", "schooling"} {
				assert.Nil(t, reg[f], f)
			}
			assert.Equal(t, "2015-01-01", reg["birth_date"])
			assert.Equal(t, "male", reg["sex"])
			assert.Nil(t, data(t, got[1])["findings"])
			assert.Equal(t, "依法删除", data(t, got[2])["reason"])
			assert.Nil(t, data(t, got[3])["findings"], "nothing new becomes readable after an erasure")
		}
		assert.NotContains(t, b.rawDump(t), "王小明已入学")
		v, err := s.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, v.OK)
		assert.Equal(t, int64(4), v.Checked)
	})
}

func mustKeys(t *testing.T, b backend, masters ...[]byte) *privacy.Keys {
	keys, err := privacy.OpenKeys(context.Background(), b.db, b.sqlite, masters...)
	require.NoError(t, err)
	return keys
}

// TestMasterKeyRotation: after a rotation the new master key alone opens
// everything and the old one alone opens nothing.
func TestMasterKeyRotation(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})
		for i, id := range []string{"c1", "c2", "c3"} {
			c := map[string]any{}
			for k, v := range child {
				c[k] = v
			}
			c["child_id"], c["name"] = id, "孩子"+id
			_, err := s.Append(ctx, eventstore.StreamRef{ID: "child-" + id, Type: "child"}, eventstore.NoStream, event(t, "child.registered", c))
			require.NoError(t, err, i)
		}
		rotated := mustKeys(t, b, masterKey(1), masterKey(0))
		n, err := rotated.Rotate(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, n)

		got, err := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(1)), privacy.TestCatalog{}).ReadStream(ctx, "child-c2", 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "孩子c2", data(t, got[0])["name"])
		_, err = privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{}).ReadStream(ctx, "child-c2", 0, 0)
		assert.ErrorIs(t, err, privacy.ErrNoMasterKey)
	})
}

// TestSealedDataIsBoundToItsEvent: a sealed field copied into another event
// does not open, and an idempotent retry stores the same bytes.
func TestSealedDataIsBoundToItsEvent(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})
		e := event(t, "child.registered", child)
		first, err := s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, e)
		require.NoError(t, err)
		retry, err := s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, e)
		require.NoError(t, err, "the same event sealed again is the same body")
		assert.Equal(t, first[0].GlobalPosition, retry[0].GlobalPosition)

		raw, err := b.inner.ReadStream(ctx, "child-c1", 0, 0)
		require.NoError(t, err)
		moved := event(t, "child.visit_recorded", map[string]any{"findings": "x", "concerns": []string{}})
		var reg map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw[0].Data, &reg))
		moved.Data, _ = json.Marshal(map[string]json.RawMessage{"findings": reg["name"], "concerns": json.RawMessage(`[]`)})
		_, err = b.inner.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.Exactly(1), moved)
		require.NoError(t, err)
		_, err = s.ReadStream(ctx, "child-c1", 0, 0)
		assert.ErrorIs(t, err, privacy.ErrTampered)
	})
}

// TestEventWithoutAnID: an event the caller gives no id gets the one its
// sealed fields are bound to, and reads back.
func TestEventWithoutAnID(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})
		e := event(t, "child.registered", child)
		e.ID = uuid.Nil
		stored, err := s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, e)
		require.NoError(t, err)
		assert.NotEqual(t, uuid.Nil, stored[0].ID)
		assert.Equal(t, "王小明", data(t, stored[0])["name"])
		got, err := s.ReadStream(ctx, "child-c1", 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "王小明", data(t, got[0])["name"])
	})
}

// TestCaseDataIsItsChilds: a case's events are sealed under the key of the
// child its report names. A fresh handle that reads only later events
// learns the child from the case's first event. A case without such a
// report holds no one's data, and an append to it is refused.
func TestCaseDataIsItsChilds(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})
		caseRef := eventstore.StreamRef{ID: "case-k1", Type: "case"}
		_, err := s.Append(ctx, caseRef, eventstore.NoStream, event(t, "case.follow_up_recorded", map[string]any{"note": "无报告"}))
		require.ErrorContains(t, err, "case-k1", "no report names the case's child")
		_, err = s.Append(ctx, caseRef, eventstore.NoStream, event(t, "case.report_received", map[string]any{"case_id": "k1", "summary": "无名"}))
		require.ErrorContains(t, err, "child_id", "a report must name the child")
		_, err = s.Append(ctx, caseRef, eventstore.NoStream,
			event(t, "case.report_received", map[string]any{"case_id": "k1", "child_id": "c1", "summary": "王小明独自在家"}),
			event(t, "case.follow_up_recorded", map[string]any{"note": "已回家"}))
		require.NoError(t, err)
		raw, err := b.inner.ReadLog(ctx, 0, 0)
		require.NoError(t, err)
		require.Len(t, raw, 2, "the refused appends wrote nothing")
		assert.NotContains(t, string(raw[1].Data), "已回家")

		got, err := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{}).ReadStream(ctx, "case-k1", 1, 0)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "已回家", data(t, got[0])["note"])

		_, err = s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, event(t, "child.data_erased", map[string]any{"reason": "依法删除"}))
		require.NoError(t, err)
		got, err = s.ReadStream(ctx, "case-k1", 0, 0)
		require.NoError(t, err)
		assert.Nil(t, data(t, got[0])["summary"], "the child's erasure erases its cases' data")
		assert.Nil(t, data(t, got[1])["note"])
	})
}

// TestErasureReachesEveryProcess: two processes share the database; one
// destroys a child's key, and the other, which had it cached, stops
// opening the child's data within the 2 s it trusts its cache (#14,
// finding 12). Keys of other children stay cached and open.
func TestErasureReachesEveryProcess(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		here, err := privacy.OpenKeys(ctx, b.db, b.sqlite, masterKey(0))
		require.NoError(t, err)
		there, err := privacy.OpenKeys(ctx, b.db, b.sqlite, masterKey(0))
		require.NoError(t, err)
		key, ok, err := here.DataKey(ctx, "c1", true)
		require.NoError(t, err)
		require.True(t, ok)
		_, _, err = here.DataKey(ctx, "c2", true)
		require.NoError(t, err)
		cached, ok, err := there.DataKey(ctx, "c1", false)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, key, cached)

		require.NoError(t, here.Destroy(ctx, "c1"))
		require.Eventually(t, func() bool {
			_, ok, err := there.DataKey(ctx, "c1", false)
			return err == nil && !ok
		}, 5*time.Second, 50*time.Millisecond, "the other process learns of the erasure")
		_, ok, err = there.DataKey(ctx, "c2", false)
		require.NoError(t, err)
		assert.True(t, ok, "another child's key still opens")
	})
}

// TestSubjectsFoundDespiteASmallCache: the cache of which child a case
// stream is about holds few streams, and appenders running at once evict
// each other's; an append that opens a case and adds to it in one call
// still seals every event under the child's key, and reads open them.
func TestSubjectsFoundDespiteASmallCache(t *testing.T) {
	privacy.SmallSubjectCache(t, 1)
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})
		const writers, cases = 8, 10
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range cases {
					id := fmt.Sprintf("k%d-%d", w, i)
					_, err := s.Append(ctx, eventstore.StreamRef{ID: "case-" + id, Type: "case"}, eventstore.NoStream,
						event(t, "case.report_received", map[string]any{"case_id": id, "child_id": fmt.Sprintf("c%d", w), "summary": "独自在家"}),
						event(t, "case.follow_up_recorded", map[string]any{"note": "已回家"}),
						event(t, "case.follow_up_recorded", map[string]any{"note": "再次回访"}))
					assert.NoError(t, err, id)
				}
			})
		}
		wg.Wait()
		for w := range writers {
			for i := range cases {
				got, err := s.ReadStream(ctx, fmt.Sprintf("case-k%d-%d", w, i), 1, 0)
				require.NoError(t, err)
				require.Len(t, got, 2)
				assert.Equal(t, "已回家", data(t, got[0])["note"])
			}
		}
	})
}

// TestErasureHoldsAtOnceForAFreshRequest: a request marked WithFreshKeys
// that begins after another process destroyed a key finds it destroyed,
// though this process had it cached a moment before (#16: an erasure
// through one server is honoured by every server at once).
func TestErasureHoldsAtOnceForAFreshRequest(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		here, err := privacy.OpenKeys(ctx, b.db, b.sqlite, masterKey(0))
		require.NoError(t, err)
		there, err := privacy.OpenKeys(ctx, b.db, b.sqlite, masterKey(0))
		require.NoError(t, err)
		for round := range 3 {
			child := fmt.Sprintf("c%d", round)
			_, ok, err := here.DataKey(ctx, child, true)
			require.NoError(t, err)
			require.True(t, ok)
			_, ok, err = there.DataKey(privacy.WithFreshKeys(ctx), child, false)
			require.NoError(t, err)
			require.True(t, ok, "cached there")

			require.NoError(t, here.Destroy(ctx, child))
			request := privacy.WithFreshKeys(ctx)
			_, ok, err = there.DataKey(request, child, false)
			require.NoError(t, err)
			assert.False(t, ok, "round %d: the next request there finds the key destroyed", round)
			_, ok, err = there.DataKey(request, child, false)
			require.NoError(t, err)
			assert.False(t, ok)
		}
	})
}
