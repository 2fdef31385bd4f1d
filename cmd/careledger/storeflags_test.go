package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
)

// tables lists the tables of a SQLite database.
func tables(t *testing.T, db readdb.DB) map[string]bool {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		out[name] = true
	}
	require.NoError(t, rows.Err())
	return out
}

// TestReadModelsHaveAFileOfTheirOwn: on SQLite the read models live in
// readmodels.db and what the log cannot give back (data keys, token
// revocations) in careledger.db with the log. Read models an earlier
// build made in careledger.db are dropped there when the data directory is
// next opened; the keys and revocations beside them are kept, and a
// child's data still opens.
func TestReadModelsHaveAFileOfTheirOwn(t *testing.T) {
	ctx := context.Background()
	sf := &storeFlags{data: t.TempDir()}
	store, dbs, err := sf.readModels(ctx)
	require.NoError(t, err)
	registerChildC1(t, store)
	tokens, err := openTokens(sf.data)
	require.NoError(t, err)
	token, err := tokens.Issue(domain.Principal{Actor: domain.Actor{Subject: "w1", Role: domain.RoleCaseworker, Jurisdiction: domain.All}}, time.Hour)
	require.NoError(t, err)
	require.NoError(t, api.MigrateRevocations(ctx, dbs.state))
	_, err = api.Revoke(ctx, dbs.state, tokens, token, "lost")
	require.NoError(t, err)

	require.NoError(t, engine.New(store, dbs.views, engine.Options{}, projections.All()...).Migrate(ctx))
	views, state := tables(t, dbs.views), tables(t, dbs.state)
	for _, want := range []string{"projection_checkpoints", "rm_cases", "rm_deadlines", "rm_timeline"} {
		assert.True(t, views[want], "readmodels.db has %s", want)
		assert.False(t, state[want], "careledger.db has no %s", want)
	}
	for _, want := range []string{"events", "careledger_data_keys", "token_revocations"} {
		assert.True(t, state[want], "careledger.db has %s", want)
		assert.False(t, views[want], "readmodels.db has no %s", want)
	}

	// An earlier build kept its read models in careledger.db.
	require.NoError(t, engine.New(store, dbs.state, engine.Options{}, projections.All()...).Migrate(ctx))
	require.True(t, tables(t, dbs.state)["rm_deadlines"])
	_, err = dbs.state.SQL.Exec(`CREATE TABLE rm_cases__shadow (case_id TEXT)`)
	require.NoError(t, err)
	require.NoError(t, dbs.Close())
	require.NoError(t, store.Close())

	store, dbs, err = sf.readModels(ctx)
	require.NoError(t, err)
	defer store.Close()
	defer dbs.Close()
	state = tables(t, dbs.state)
	for name := range state {
		assert.NotRegexp(t, `^(rm_|projection_checkpoints)`, name, "an earlier build's read model is dropped from careledger.db")
	}
	assert.True(t, state["careledger_data_keys"] && state["token_revocations"] && state["events"], "the rest stays: %v", state)
	var revoked int
	require.NoError(t, dbs.state.SQL.QueryRow(`SELECT count(*) FROM token_revocations`).Scan(&revoked))
	assert.Equal(t, 1, revoked)
	assert.True(t, tables(t, dbs.views)["rm_cases"], "readmodels.db keeps its read models")
	events, err := store.ReadStream(ctx, "child-c1", 0, 0)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Contains(t, string(events[0].Data), "刘小红", "the child's data key was kept")
}
