package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
)

// registerChildC1 appends the registration of child c1, 刘小红, whose name
// the store seals under the child's data key.
func registerChildC1(t *testing.T, store eventstore.Store) {
	t.Helper()
	data := json.RawMessage(`{"child_id":"c1","name":"刘小红","birth_date":"2016-05-06","sex":"female","jurisdiction":"370902101201",
		"categories":["left_behind"],"key_child_flags":[],"guardian":{"name":"刘奶奶","relation":"祖母","phone":"13700001111"},
		"living_situation":"与祖母同住","schooling":"小学","hukou_registered":true}`)
	_, err := store.Append(context.Background(), eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream,
		eventstore.NewEvent{ID: uuid.New(), Type: "child.registered", SchemaVersion: 1, Data: data, OccurredAt: time.Now()})
	require.NoError(t, err)
}

// TestMasterKeyRotation: after `keys rotate` a child's name still reads,
// master.key is a new key, the old one is retired beside it, the database
// never held the name in clear, and `keys status` counts the data key under
// the new master key.
func TestMasterKeyRotation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sf := &storeFlags{data: dir}
	store, db, err := sf.readModels(ctx)
	require.NoError(t, err)
	registerChildC1(t, store)
	db.Close()
	store.Close()
	before, err := os.ReadFile(filepath.Join(dir, masterKeyFile))
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"keys", "rotate", "--data", dir}, &out, &out), out.String())
	after, err := os.ReadFile(filepath.Join(dir, masterKeyFile))
	require.NoError(t, err)
	assert.NotEqual(t, before, after, "a new master key is in force")
	retired, err := filepath.Glob(filepath.Join(dir, retiredPrefix+"*"))
	require.NoError(t, err)
	require.Len(t, retired, 1)
	old, err := os.ReadFile(retired[0])
	require.NoError(t, err)
	assert.Equal(t, before, old)
	_, err = os.Stat(filepath.Join(dir, nextKeyFile))
	assert.ErrorIs(t, err, os.ErrNotExist)

	// Without the retired key, the new key alone opens the child's data.
	require.NoError(t, os.Remove(retired[0]))
	store, db, err = sf.readModels(ctx)
	require.NoError(t, err)
	events, err := store.ReadStream(ctx, "child-c1", 0, 0)
	require.NoError(t, err)
	assert.Contains(t, string(events[0].Data), "刘小红")
	db.Close()
	store.Close()

	out.Reset()
	require.NoError(t, run(ctx, []string{"keys", "status", "--data", dir}, &out, &out))
	current, err := readKeyFile(filepath.Join(dir, masterKeyFile))
	require.NoError(t, err)
	assert.Contains(t, out.String(), "master key in force: ")
	assert.Contains(t, out.String(), "1 data keys")
	assert.Contains(t, out.String(), privacy.MasterKeyID(current))

	file, err := os.ReadFile(filepath.Join(dir, "careledger.db"))
	require.NoError(t, err)
	assert.NotContains(t, string(file), "刘小红")
	assert.NotContains(t, string(file), "13700001111")
}
