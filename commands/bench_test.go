package commands_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/sqlite"
)

// BenchmarkFollowUpOnAKeptCase: a caseworker records follow-ups on a case
// the handlers keep (commands.WithStreamCache), twenty a case — what a
// command costs on a stream decided on as cached, on the embedded store
// (one fsync each).
func BenchmarkFollowUpOnAKeptCase(b *testing.B) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "careledger.db"), eventstore.Options{SealKey: []byte("k")})
	require.NoError(b, err)
	b.Cleanup(func() { store.Close() })
	county := commandstest.NewCounty(b, store, commands.WithClock(func() time.Time { return now }))
	var cmd commands.RecordFollowUp
	b.ResetTimer()
	for i := range b.N {
		if i%20 == 0 {
			b.StopTimer()
			caseID := county.Report(b, county.RegisterChild(b), now.Add(-time.Hour), domain.RiskLow, "来电", "neglect")
			cmd = commands.RecordFollowUp{CaseID: caseID, OccurredAt: now, Note: "回访"}
			b.StartTimer()
		}
		if _, err := county.Handlers.RecordFollowUp(ctx, county.Caseworker, cmd); err != nil {
			b.Fatal(err)
		}
	}
}
