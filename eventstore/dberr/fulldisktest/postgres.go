package fulldisktest

import (
	"context"
	"net/url"
	"os/user"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// PostgresDatabase mounts a tmpfs of size bytes for the PostgreSQL server
// (which must run on this machine, as the user postgres, and be reached as
// a superuser), makes a tablespace on it and a fresh database (pgtest)
// whose every session creates its tables there, and returns the
// database's URL and the file system. All is dropped and unmounted when the
// test ends. It skips as pgtest does without PostgreSQL, and as Mount does
// without root.
func PostgresDatabase(t testing.TB, size int64) (string, *FS) {
	t.Helper()
	base := pgtest.URL(t)
	owner, err := user.Lookup("postgres")
	if err != nil {
		skip(t, "no user postgres to own the tablespace's file system: %v", err)
	}
	fs := Mount(t, size, owner)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", pgtest.EnvVar, err)
	}
	defer admin.Close(ctx)
	space := "careledger_full_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	// PostgreSQL keeps its files in a directory of its own under the
	// location (PG_<version>_…), beside the ballast.
	if _, err := admin.Exec(ctx, "CREATE TABLESPACE "+space+" LOCATION '"+fs.Dir+"'"); err != nil {
		skip(t, "create a tablespace on %s (the PostgreSQL server must run on this machine, reached as a superuser): %v", fs.Dir, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop tablespace %s: %v", space, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP TABLESPACE IF EXISTS "+space); err != nil {
			t.Errorf("drop tablespace %s: %v", space, err)
		}
	})
	dbURL := pgtest.NewDatabase(t) // dropped before the tablespace
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+strings.TrimPrefix(u.Path, "/")+" SET default_tablespace = "+space); err != nil {
		t.Fatalf("put the tables of %s in %s: %v", u.Path, space, err)
	}
	return dbURL, fs
}
