package engine_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// commitProbe is a projection that writes nothing but records, at each
// Apply, whether its transaction waits for the disk on commit.
type commitProbe struct {
	name string
	mu   *sync.Mutex
	seen *[]string
}

func (p commitProbe) Name() string     { return p.name }
func (p commitProbe) Tables() []string { return []string{p.name + "_rows"} }
func (p commitProbe) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS ` + p.name + `_rows (position {{bigint}} PRIMARY KEY)`}
}

func (p commitProbe) Apply(ctx context.Context, tx readdb.Tx, _ readdb.Dialect, _ []domain.Recorded) error {
	return p.record(ctx, tx)
}

func (p commitProbe) record(ctx context.Context, tx readdb.Tx) error {
	var setting string
	if err := tx.QueryRowContext(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&setting); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	*p.seen = append(*p.seen, setting)
	return nil
}

// numberedProbe is a commitProbe that numbers its rows for readers outside.
type numberedProbe struct{ commitProbe }

func (numberedProbe) NumbersItsRows() {}

// TestReadModelsCommitWithoutWaitingForTheDiskButNumberedOnes: on
// PostgreSQL a projection's transactions commit asynchronously — a crash
// can lose them only whole, with their checkpoint, and they are applied
// again — except a Numbered projection's, whose numbers readers outside
// keep; the database's own setting is untouched outside them.
func TestReadModelsCommitWithoutWaitingForTheDiskButNumberedOnes(t *testing.T) {
	b := enginetest.Postgres(t)
	ctx := context.Background()
	appendEvent(t, b.Store)
	var mu sync.Mutex
	var plain, counted []string
	e := engine.New(b.Store, b.DB, engine.Options{},
		commitProbe{name: "plain", mu: &mu, seen: &plain},
		numberedProbe{commitProbe{name: "counted", mu: &mu, seen: &counted}})
	require.NoError(t, e.Migrate(ctx))
	require.NoError(t, e.CatchUp(ctx))
	require.NoError(t, e.Rebuild(ctx, nil))
	assert.Equal(t, []string{"off", "off"}, plain, "caught up, then rebuilt")
	assert.Equal(t, []string{"on", "on"}, counted)
	var outside string
	require.NoError(t, b.DB.SQL.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&outside))
	assert.Equal(t, "on", outside)
}
