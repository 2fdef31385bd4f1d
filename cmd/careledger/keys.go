package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/projections/readdb"
)

// The master key files in the data directory: master.key is in force;
// master.key.new is the next one while a rotation runs; retired keys are
// kept as master.key.retired-<id> until no data key needs them.
const (
	masterKeyFile = "master.key"
	nextKeyFile   = "master.key.new"
	retiredPrefix = "master.key.retired-"
)

// masterKeys are the master keys, the one in force first: from
// CARELEDGER_MASTER_KEY (hex; CARELEDGER_MASTER_KEY_PREVIOUS, comma-separated,
// for keys being retired), or from the data directory (master.key, created
// on first use; master.key.new during a rotation; retired keys).
func masterKeys(dir string) ([][]byte, error) {
	if v := os.Getenv("CARELEDGER_MASTER_KEY"); v != "" {
		keys := [][]byte{}
		for i, h := range append([]string{v}, splitList(os.Getenv("CARELEDGER_MASTER_KEY_PREVIOUS"))...) {
			key, err := hex.DecodeString(strings.TrimSpace(h))
			if err != nil || len(key) != 32 {
				name := "CARELEDGER_MASTER_KEY"
				if i > 0 {
					name += "_PREVIOUS"
				}
				return nil, fmt.Errorf("%s must be 32 bytes in hex", name)
			}
			keys = append(keys, key)
		}
		return keys, nil
	}
	current, err := secretKey(dir, masterKeyFile, "", 32)
	if err != nil {
		return nil, err
	}
	keys := [][]byte{current}
	if next, err := readKeyFile(filepath.Join(dir, nextKeyFile)); err == nil {
		keys = append([][]byte{next}, keys...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	retired, _ := filepath.Glob(filepath.Join(dir, retiredPrefix+"*"))
	sort.Strings(retired)
	for _, path := range retired {
		key, err := readKeyFile(path)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%s: want 32 bytes in hex", path)
	}
	return key, nil
}

// keys opens the data keys in the read-model database under the master
// keys, and rewraps any data key still wrapped by a key being retired.
func (f *storeFlags) keys(ctx context.Context, db readdb.DB) (*privacy.Keys, error) {
	masters, err := masterKeys(f.data)
	if err != nil {
		return nil, err
	}
	keys, err := privacy.OpenKeys(ctx, db.SQL, db.Dialect == readdb.SQLite, masters...)
	if err != nil {
		return nil, err
	}
	if len(masters) > 1 {
		if _, err := keys.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

const keysUsage = `Usage:
  careledger keys rotate [--data DIR | --postgres URL | --kurrent URL]
      make a new master key, wrap every child's data key with it, and retire the old one
  careledger keys status [--data DIR | --postgres URL | --kurrent URL]
      count the data keys by the master key that wraps them, and the destroyed ones
`

func keysCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := func(name string, run func(ctx context.Context, sf *storeFlags, stdout io.Writer) error) subcommand {
		return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			fs, sf := commandFlags("keys "+name, keysUsage, stderr)
			if err := fs.Parse(args); err != nil {
				return err
			}
			return run(ctx, sf, stdout)
		}
	}
	return dispatch(ctx, "keys", keysUsage, map[string]subcommand{
		"rotate": sub("rotate", rotateMasterKey), "status": sub("status", keyStatus),
	}, args, stdout, stderr)
}

// rotateMasterKey: a new master key is written beside the old one
// (master.key.new), every data key is rewrapped in one transaction, then
// the old key is retired and the new one takes its name. A crash at any
// point leaves keys that open everything; running it again finishes.
// Stop the server first: a running server keeps wrapping new data keys with
// the key it started with (it rewraps them when it starts again, as long as
// the retired key file is there).
func rotateMasterKey(ctx context.Context, sf *storeFlags, stdout io.Writer) error {
	if os.Getenv("CARELEDGER_MASTER_KEY") != "" {
		return errors.New("keys rotate: the master key comes from CARELEDGER_MASTER_KEY; rotate by setting a new CARELEDGER_MASTER_KEY with the old one in CARELEDGER_MASTER_KEY_PREVIOUS and starting the server")
	}
	old, err := secretKey(sf.data, masterKeyFile, "", 32)
	if err != nil {
		return err
	}
	if _, err := secretKey(sf.data, nextKeyFile, "", 32); err != nil {
		return err
	}
	// Opening the keys with master.key.new present rewraps every data key
	// under it.
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	dbs.Close()
	store.Close()
	retired := filepath.Join(sf.data, retiredPrefix+privacy.MasterKeyID(old))
	if err := os.Rename(filepath.Join(sf.data, masterKeyFile), retired); err != nil {
		return fmt.Errorf("keys rotate: retire the old key: %w", err)
	}
	if err := os.Rename(filepath.Join(sf.data, nextKeyFile), filepath.Join(sf.data, masterKeyFile)); err != nil {
		return fmt.Errorf("keys rotate: put the new key in force: %w", err)
	}
	fmt.Fprintf(stdout, "master key rotated; data keys rewrapped; the old key is kept at %s.\n", retired)
	fmt.Fprintln(stdout, "Back up the new master.key now. Delete the retired key once `careledger keys status` shows no data key under it and no backup made before the rotation is still needed.")
	return nil
}

func keyStatus(ctx context.Context, sf *storeFlags, stdout io.Writer) error {
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dbs.Close()
	rows, err := dbs.state.SQL.QueryContext(ctx, `SELECT coalesce(master_id, 'destroyed'), count(*) FROM careledger_data_keys GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("keys status: %w", err)
	}
	defer rows.Close()
	current := store.(*privacy.Store).Keys().CurrentMasterID()
	fmt.Fprintf(stdout, "master key in force: %s\n", current)
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\t%d data keys\n", id, n)
	}
	return rows.Err()
}
