package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/eventlog/personal"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/kurrent"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
)

// storeFlags choose the store: SQLite in the data directory unless a
// PostgreSQL URL or a KurrentDB connection string is given. The data
// directory also keeps the seal key, and, with KurrentDB, the read models,
// data keys and access log in SQLite.
type storeFlags struct {
	data     string
	postgres string
	kurrent  string
	// kurrentNamespace prefixes the log's KurrentDB stream names, so that
	// several logs share one server.
	kurrentNamespace string
	// kurrentWriter is the lasting writer identity serve holds
	// (holdKurrentWriter); zero for the other commands.
	kurrentWriter uuid.UUID
}

// commandFlags makes a command's flag set, with the store flags and a
// usage text printed above the flags by --help.
func commandFlags(name, usage string, stderr io.Writer) (*flag.FlagSet, *storeFlags) {
	fs := newFlagSet(name, usage, stderr)
	sf := &storeFlags{}
	sf.register(fs)
	return fs, sf
}

// newFlagSet makes a command's flag set whose --help prints usage above
// the flags.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", envOr("CARELEDGER_DATA", "./careledger-data"),
		"data directory: the embedded SQLite store and the seal key (env CARELEDGER_DATA)")
	fs.StringVar(&f.postgres, "postgres", os.Getenv("CARELEDGER_POSTGRES"),
		"PostgreSQL URL; when set, the store lives there instead of in --data (env CARELEDGER_POSTGRES)")
	fs.StringVar(&f.kurrent, "kurrent", os.Getenv("CARELEDGER_KURRENT"),
		"KurrentDB connection string (esdb://host:2113?tls=false, or with TLS); when set, the event log lives in KurrentDB "+
			"and the read models, data keys and access log in SQLite in --data (not with --postgres) (env CARELEDGER_KURRENT)")
	fs.StringVar(&f.kurrentNamespace, "kurrent-namespace", os.Getenv("CARELEDGER_KURRENT_NAMESPACE"),
		"with --kurrent: a prefix of the log's stream names (NS:case-…), for several logs on one KurrentDB; "+
			"empty: streams named as careledger names them (env CARELEDGER_KURRENT_NAMESPACE)")
}

// errKurrentWithPostgres: the read models of a KurrentDB log live in SQLite.
var errKurrentWithPostgres = errors.New("--kurrent and --postgres together are not supported: with --kurrent the read models, " +
	"data keys and access log live in SQLite in --data")

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// databases are the SQL databases beside the log. On PostgreSQL both are
// the store's own database. On SQLite (and with KurrentDB) they are two
// files of the data directory, so that the projections' transactions and
// the log's appends never wait for each other's write lock:
//
//   - views, readmodels.db: the read models the projections make, which a
//     server rebuilds from the log whenever they are missing;
//   - state, careledger.db (the log's own file, on SQLite): what the log
//     cannot give back — children's data keys, the access log, token
//     revocations, webhook deliveries. A new child's data key goes in with
//     the child's first event, in the same transaction (privacy.KeysInLog).
type databases struct {
	views readdb.DB
	state readdb.DB
}

// Close closes the databases.
func (d databases) Close() error {
	err := d.views.SQL.Close()
	if d.state.SQL != d.views.SQL {
		err = errors.Join(err, d.state.SQL.Close())
	}
	return err
}

// readModels opens the store and, beside it, its databases. The store it
// gives seals children's personal data (privacy.Store) with the data keys
// kept in the state database under the master key (masterKeys).
func (f *storeFlags) readModels(ctx context.Context) (eventstore.Store, databases, error) {
	store, err := f.open(ctx)
	if err != nil {
		return nil, databases{}, err
	}
	var dbs databases
	var wrap []privacy.Option
	switch s := store.(type) {
	case *postgres.Store:
		db := readdb.DB{SQL: readdb.OpenPostgres(s.Pool()), Dialect: readdb.Postgres}
		dbs = databases{views: db, state: db}
		wrap = append(wrap, privacy.KeysInLog)
	default:
		if _, ok := store.(*sqlite.Store); ok {
			wrap = append(wrap, privacy.KeysInLog) // careledger.db holds both
		}
		if dbs, err = f.sqliteDatabases(ctx); err != nil {
			store.Close()
			return nil, databases{}, err
		}
	}
	keys, err := f.keys(ctx, dbs.state)
	if err != nil {
		dbs.Close()
		store.Close()
		return nil, databases{}, err
	}
	return privacy.Wrap(store, keys, personal.Catalog(), wrap...), dbs, nil
}

// sqliteDatabases opens the data directory's two SQLite databases. Read
// models an earlier build kept in careledger.db are dropped there: the
// server makes them again in readmodels.db from the log.
func (f *storeFlags) sqliteDatabases(ctx context.Context) (databases, error) {
	state, err := readdb.OpenSQLiteRecords(f.sqlitePath())
	if err != nil {
		return databases{}, err
	}
	views, err := readdb.OpenSQLite(f.viewsPath())
	if err != nil {
		state.Close()
		return databases{}, err
	}
	dbs := databases{views: readdb.DB{SQL: views, Dialect: readdb.SQLite}, state: readdb.DB{SQL: state, Dialect: readdb.SQLite}}
	if err := dropViews(ctx, dbs.state); err != nil {
		dbs.Close()
		return databases{}, fmt.Errorf("read models left in %s: %w", f.sqlitePath(), err)
	}
	return dbs, nil
}

// dropViews drops, from the state database, the read models an earlier
// build kept there (it had a checkpoint table): they are made again in
// readmodels.db from the log. SQLite keeps the freed pages in the file for
// later use; VACUUM gives them back to the disk.
func dropViews(ctx context.Context, state readdb.DB) error {
	var n int
	if err := state.SQL.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'projection_checkpoints'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	return engine.Drop(ctx, state, projections.All()...)
}

// pool is the PostgreSQL pool under a store, if it has one.
func pool(store eventstore.Store) (*pgxpool.Pool, bool) {
	if w, ok := store.(*privacy.Store); ok {
		store = w.Unwrap()
	}
	if s, ok := store.(*postgres.Store); ok {
		return s.Pool(), true
	}
	return nil, false
}

func (f *storeFlags) sqlitePath() string { return filepath.Join(f.data, "careledger.db") }

// viewsPath is the SQLite file of the read models (see databases).
func (f *storeFlags) viewsPath() string { return filepath.Join(f.data, "readmodels.db") }

// open opens the store the flags name, creating the data directory and the
// seal key on first use.
func (f *storeFlags) open(ctx context.Context) (eventstore.Store, error) {
	if err := privateDir(f.data); err != nil {
		return nil, err
	}
	key, err := sealKey(f.data)
	if err != nil {
		return nil, err
	}
	opts := eventstore.Options{SealKey: key}
	if f.kurrent != "" {
		if f.postgres != "" {
			return nil, errKurrentWithPostgres
		}
		return kurrent.Open(ctx, kurrent.Config{URL: f.kurrent, Namespace: f.kurrentNamespace, Writer: f.kurrentWriter}, opts)
	}
	if f.postgres != "" {
		return postgres.Open(ctx, withPoolSize(f.postgres), opts)
	}
	return sqlite.Open(ctx, f.sqlitePath(), opts)
}

// sealKey reads the seal key from CARELEDGER_SEAL_KEY (hex) or from
// seal.key in the data directory, creating that file on first use.
func sealKey(dir string) ([]byte, error) {
	return secretKey(dir, "seal.key", "CARELEDGER_SEAL_KEY", 16)
}

// tokenKey reads the key that signs bearer tokens from CARELEDGER_TOKEN_KEY
// (hex) or from token.key in the data directory, creating that file on
// first use; the server and `token issue` must see the same one.
func tokenKey(dir string) ([]byte, error) {
	if err := privateDir(dir); err != nil {
		return nil, err
	}
	return secretKey(dir, "token.key", "CARELEDGER_TOKEN_KEY", 32)
}

// openTokens is the token issuer and checker of the data directory's key,
// with the site's shorter lifetimes, if it sets them:
// CARELEDGER_TOKEN_MAX_TTL_ADMIN (default and bound 24h) and
// CARELEDGER_TOKEN_MAX_TTL (every other role; default and bound 720h).
func openTokens(dir string) (*api.Tokens, error) {
	key, err := tokenKey(dir)
	if err != nil {
		return nil, err
	}
	tokens, err := api.NewTokens(key, nil)
	if err != nil {
		return nil, err
	}
	var limits [2]time.Duration
	for i, env := range []string{"CARELEDGER_TOKEN_MAX_TTL_ADMIN", "CARELEDGER_TOKEN_MAX_TTL"} {
		if v := os.Getenv(env); v != "" {
			if limits[i], err = time.ParseDuration(v); err != nil || limits[i] <= 0 {
				return nil, fmt.Errorf("%s: %q is not a positive duration such as 8h", env, v)
			}
		}
	}
	if err := tokens.Limit(limits[0], limits[1]); err != nil {
		return nil, err
	}
	return tokens, nil
}

// privateDir makes the data directory, or tightens one that exists, to
// 0700: it holds the children's data and the keys, which nobody but the
// server's user may read.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("data directory %s is open to other users (mode %04o) and could not be made 0700: %w",
				dir, info.Mode().Perm(), err)
		}
	}
	return nil
}

// weakKey reports why a key is not of full strength: all its bytes alike
// (an all-zero key, say) is a placeholder, not a secret.
func weakKey(key []byte) string {
	for _, b := range key[1:] {
		if b != key[0] {
			return ""
		}
	}
	return "every byte of it is the same (a placeholder, not a secret)"
}

// secretKey reads a key of at least min bytes from the environment variable
// env (hex) or from the file name in dir, creating that file (mode 0600)
// with 32 random bytes when it does not exist.
func secretKey(dir, name, env string, min int) ([]byte, error) {
	if v := os.Getenv(env); v != "" {
		key, err := hex.DecodeString(strings.TrimSpace(v))
		if err != nil || len(key) < min {
			return nil, fmt.Errorf("%s must be at least %d bytes in hex", env, min)
		}
		if why := weakKey(key); why != "" {
			return nil, fmt.Errorf("%s is not a key of full strength: %s; make one with: openssl rand -hex 32", env, why)
		}
		return key, nil
	}
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		made, err := createWhole(path, []byte(hex.EncodeToString(key)+"\n"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if !made {
			return secretKey(dir, name, env, min) // another process made it first
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < min {
		return nil, fmt.Errorf("%s: want at least %d bytes in hex", path, min)
	}
	if why := weakKey(key); why != "" {
		return nil, fmt.Errorf("%s is not a key of full strength: %s", path, why)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by other users (mode %04o): it may have leaked; if it has not, "+
			"run chmod 600 %s, else make a new key", path, info.Mode().Perm(), path)
	}
	return key, nil
}

// serverPoolSize is how many connections a process's pool holds when the
// URL does not say (pool_max_conns). pgxpool's own default (four, or the
// number of CPUs) let a server answer half the commands it could: 32
// clients queued for four connections, one of them held by the webhook
// dispatcher's lock (careledger bench, 32 writers, 2 cores: 790–805
// commands/s with four, about 1,600 with 16). Several servers on one
// PostgreSQL need its max_connections (100 by default) to cover them, or a
// pooler.
const serverPoolSize = 16

// withPoolSize gives a PostgreSQL URL (or key=value string) a pool size of
// serverPoolSize unless it names one.
func withPoolSize(conn string) string {
	if strings.Contains(conn, "pool_max_conns") {
		return conn
	}
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("pool_max_conns", strconv.Itoa(serverPoolSize))
		u.RawQuery = q.Encode()
		return u.String()
	}
	return conn + " pool_max_conns=" + strconv.Itoa(serverPoolSize)
}
