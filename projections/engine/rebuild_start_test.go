package engine_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// lockedBuffer is a log the engine writes from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunRebuildsWhatIsFarBehind: a server started on a log with empty read
// models builds them by the rebuild path, then follows as usual; one a
// little behind catches up live.
func TestRunRebuildsWhatIsFarBehind(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		commandstest.Workload(t, b.Store, enginetest.Now, 6, 2, 30)
		run := func(rebuildBehind int64) string {
			var log lockedBuffer
			e := engine.New(b.Store, b.DB, engine.Options{RebuildBehind: rebuildBehind, RebuildBatch: 16,
				Logger: slog.New(slog.NewTextHandler(&log, nil))}, caseview.Projection{})
			require.NoError(t, e.Migrate(context.Background()))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- e.Run(ctx) }()
			enginetest.WaitHead(t, e, b.Store)
			cancel()
			require.NoError(t, <-done)
			return log.String()
		}
		log := run(10)
		assert.Contains(t, log, "rebuilt at start", "empty read models are rebuilt")
		assert.Equal(t, fromEvents(t, b.Store), fromReadModel(t, b.DB))

		commandstest.Workload(t, b.Store, enginetest.Now, 2, 1, 3)
		log = run(10)
		assert.NotContains(t, log, "rebuilding", "a few events behind, of a larger log: caught up live")
		assert.Equal(t, fromEvents(t, b.Store), fromReadModel(t, b.DB))
	})
}
