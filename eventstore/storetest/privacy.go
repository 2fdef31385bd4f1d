package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
)

// ThroughPrivacy is db with every store it opens wrapped in a privacy.Store
// that seals the personal fields of the suite's events (PrivacyCatalog).
// keysDB gives the database where the data keys of an opened backend store
// live, and whether it is SQLite, as privacy.OpenKeys takes them. Each
// store checks that the fields it passes to the backend are really sealed.
func ThroughPrivacy(db Database, keysDB func(t testing.TB, s eventstore.Store) (keys *sql.DB, sqlite bool)) Database {
	return sealedDatabase{Database: db, keysDB: keysDB}
}

// PrivacyCatalog marks personal fields in the suite's events: a note's
// number and blob, an assignment's note, and a report's summary and
// reporter's name. Each stream holds a subject's of its own, whose data
// key its first append makes: with the keys in the log's database
// (privacy.KeysInLog, SQLite and PostgreSQL) in that append's transaction,
// so that a test holding a write transaction open never waits for a key;
// with KurrentDB in a SQLite file of their own.
func PrivacyCatalog() privacy.Catalog { return suiteCatalog{} }

type suiteCatalog struct{}

var suitePersonal = map[string][]privacy.Field{
	"case.follow_up_recorded": {{Path: "n"}, {Path: "blob"}},
	"case.assigned":           {{Path: "note"}},
	"case.report_received":    {{Path: "summary"}, {Path: "reporter.name"}},
}

func (suiteCatalog) Personal(eventType string) []privacy.Field { return suitePersonal[eventType] }
func (suiteCatalog) Subject(stream string) privacy.Subject {
	return privacy.Subject{ID: "storetest " + stream}
}
func (suiteCatalog) Erases(string) bool { return false }

// masterKey wraps the data keys of the suite's sealed stores.
var masterKey = []byte("storetest master key: 32 bytes..")

type sealedDatabase struct {
	Database
	keysDB func(t testing.TB, s eventstore.Store) (*sql.DB, bool)
}

func (d sealedDatabase) Open(t testing.TB, opts eventstore.Options) eventstore.Store {
	t.Helper()
	inner := d.Database.Open(t, opts)
	db, sqlite := d.keysDB(t, inner)
	keys, err := privacy.OpenKeys(context.Background(), db, sqlite, masterKey)
	if err != nil {
		t.Fatalf("open data keys: %v", err)
	}
	// A store that writes companion rows gets the data keys written with
	// the appends, as serve has them (its keys live in its database).
	var checked eventstore.Store = sealChecker{Store: inner, t: t}
	if c, ok := inner.(eventstore.CompanionStore); ok {
		checked = companionChecker{sealChecker: sealChecker{Store: inner, t: t}, inner: c}
	}
	return privacy.Wrap(checked, keys, PrivacyCatalog(), privacy.KeysInLog)
}

// sealChecker sits under the privacy.Store and fails the test when a
// personal field reaches the backend in clear.
type sealChecker struct {
	eventstore.Store
	t testing.TB
}

func (c sealChecker) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	c.check(events)
	return c.Store.Append(ctx, stream, expected, events...)
}

// check fails the test for each personal field of events in clear.
func (c sealChecker) check(events []eventstore.NewEvent) {
	for _, e := range events {
		for _, f := range suitePersonal[e.Type] {
			if value, ok := member(e.Data, f.Path); ok && string(value) != "null" && !strings.HasPrefix(string(value), `"sealed:v1:`) {
				c.t.Errorf("%s of a %s event reaches the store in clear: %.40s", f.Path, e.Type, value)
			}
		}
	}
}

// companionChecker is a sealChecker over a store that writes companion
// rows.
type companionChecker struct {
	sealChecker
	inner eventstore.CompanionStore
}

func (c companionChecker) AppendWith(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, companions []eventstore.Companion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	c.check(events)
	return c.inner.AppendWith(ctx, stream, expected, companions, events...)
}

// member is the value at a dotted path of a JSON object.
func member(data json.RawMessage, path string) (json.RawMessage, bool) {
	for name := range strings.SplitSeq(path, ".") {
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return nil, false
		}
		var ok bool
		if data, ok = obj[name]; !ok {
			return nil, false
		}
	}
	return data, true
}
