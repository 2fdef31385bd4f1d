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
// reporter's name. Every stream holds one subject's data. That way no data
// key is made while a test holds a write transaction open: on SQLite,
// making a key writes to the database, so it would wait for that
// transaction.
func PrivacyCatalog() privacy.Catalog { return suiteCatalog{} }

type suiteCatalog struct{}

var suitePersonal = map[string][]privacy.Field{
	"case.follow_up_recorded": {{Path: "n"}, {Path: "blob"}},
	"case.assigned":           {{Path: "note"}},
	"case.report_received":    {{Path: "summary"}, {Path: "reporter.name"}},
}

func (suiteCatalog) Personal(eventType string) []privacy.Field { return suitePersonal[eventType] }
func (suiteCatalog) Subject(string) privacy.Subject            { return privacy.Subject{ID: "storetest"} }
func (suiteCatalog) Erases(string) bool                        { return false }

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
	return privacy.Wrap(sealChecker{Store: inner, t: t}, keys, PrivacyCatalog())
}

// sealChecker sits under the privacy.Store and fails the test when a
// personal field reaches the backend in clear.
type sealChecker struct {
	eventstore.Store
	t testing.TB
}

func (c sealChecker) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	for _, e := range events {
		for _, f := range suitePersonal[e.Type] {
			if value, ok := member(e.Data, f.Path); ok && string(value) != "null" && !strings.HasPrefix(string(value), `"sealed:v1:`) {
				c.t.Errorf("%s of a %s event reaches the store in clear: %.40s", f.Path, e.Type, value)
			}
		}
	}
	return c.Store.Append(ctx, stream, expected, events...)
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
