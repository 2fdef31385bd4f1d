package kurrent

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/kurrent/kurrenttest"
	"github.com/careledger/careledger/eventstore/sqlitedb"
	"github.com/careledger/careledger/eventstore/storetest"
)

// realServerEnv names a KurrentDB server to run the contract against
// instead of the in-process double: an esdb:// connection string, e.g.
// esdb://127.0.0.1:2113?tls=false for a KurrentDB 25.x started with
// --insecure. Each test keeps its log in a namespace of its own there.
const realServerEnv = "CARELEDGER_TEST_KURRENT"

// features says what KurrentDB cannot offer as the contract asks. The
// full-disk contract (storetest.FullDisk) is not run either: the disk is
// the server's, out of a test's reach on a real server, and the double
// keeps its log in memory.
func features() storetest.Features {
	return storetest.Features{
		// KurrentDB's events are immutable: its API has no update or delete
		// of one event (only of whole streams, which Verify would see as
		// missing positions), so there is no guard of careledger's to test.
		NoUpdateOrDeleteOfAnEvent: true,
		// Against a real server the test cannot reach the server's files,
		// the only place a stored event can be changed; against the double
		// the tamper cases edit its records (doubleTamperer).
		TamperingNeedsTheFiles: os.Getenv(realServerEnv) != "",
	}
}

// TestContract runs the store contract on the in-process double, or on the
// server CARELEDGER_TEST_KURRENT names.
func TestContract(t *testing.T) {
	storetest.RunWith(t, features(), newDatabase)
}

// TestContractThroughPrivacy runs the contract through the privacy
// decorator, with the data keys in a SQLite file beside the log (as
// careledger serve --kurrent keeps them in its read-model database).
func TestContractThroughPrivacy(t *testing.T) {
	storetest.RunWith(t, features(), func(t testing.TB) storetest.Database {
		keys := filepath.Join(t.TempDir(), "keys.db")
		var once sync.Once
		var db *sql.DB
		return storetest.ThroughPrivacy(newDatabase(t), func(t testing.TB, _ eventstore.Store) (*sql.DB, bool) {
			once.Do(func() {
				db = sqlitedb.Open("file:" + (&url.URL{Path: keys}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
				t.Cleanup(func() { db.Close() })
			})
			return db, true
		})
	})
}

// database is one empty log: a double of its own, or a namespace of its
// own on the real server.
type database struct {
	url    string
	ns     string
	double *kurrenttest.Server
}

func newDatabase(t testing.TB) storetest.Database {
	if real := os.Getenv(realServerEnv); real != "" {
		return &database{url: real, ns: "t" + strings.ReplaceAll(uuid.NewString(), "-", "")}
	}
	double := kurrenttest.New(t)
	return &database{url: double.URL(), double: double}
}

func (d *database) Open(t testing.TB, opts eventstore.Options) eventstore.Store {
	t.Helper()
	s, err := Open(context.Background(), Config{URL: d.url, Namespace: d.ns}, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func (d *database) Tamper() storetest.Tamperer {
	if d.double == nil {
		return serverTamperer{}
	}
	return doubleTamperer{server: d.double, ns: namespace(d.ns)}
}
