package commandstest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// Workload drives random commands — reports, assignments, follow-ups,
// referrals and their answers, guardianship, closures, reopenings — on
// cases of one child (County.RegisterChild) from several goroutines at
// once, deterministically per goroutine from seed, with now as the clock.
func Workload(t testing.TB, store eventstore.Store, now time.Time, seed uint64, writers, steps int) {
	ctx := context.Background()
	c := NewCounty(t, store, commands.WithClock(func() time.Time { return now }))
	child := c.RegisterChild(t)
	neglect := Must(domain.ParseConcerns([]string{"neglect"}))

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			var cases []string
			referrals := map[string][]string{}
			at := now.Add(-time.Hour)
			for range steps {
				if len(cases) == 0 || rng.IntN(5) == 0 {
					id, err := c.report(ctx, child, at.Add(-time.Hour), domain.RiskLow, "来电", neglect)
					if assert.NoError(t, err) {
						cases = append(cases, id)
					}
					continue
				}
				id := cases[rng.IntN(len(cases))]
				var err error
				switch rng.IntN(8) {
				case 0:
					err = c.assign(ctx, id)
				case 1:
					err = c.followUp(ctx, id, at)
				case 2:
					var referral string
					if referral, err = c.refer(ctx, id); err == nil {
						referrals[id] = append(referrals[id], referral)
					}
				case 3:
					if rs := referrals[id]; len(rs) > 0 {
						err = c.acceptReferral(ctx, id, rs[rng.IntN(len(rs))], time.Time{})
					}
				case 4:
					if rs := referrals[id]; len(rs) > 0 {
						err = c.completeReferral(ctx, id, rs[rng.IntN(len(rs))], time.Time{})
					}
				case 5:
					err = c.startGuardianship(ctx, id, at)
				case 6:
					err = c.endGuardianship(ctx, id, at)
				case 7:
					if rng.IntN(2) == 0 {
						err = c.close(ctx, id, at, resolved)
					} else {
						err = c.reopen(ctx, id)
					}
				}
				if err != nil && !errors.Is(err, domain.ErrRule) {
					t.Errorf("writer %d: %v", w, err)
				}
			}
		})
	}
	wg.Wait()
}

// Streams reads the whole log and decodes it, by stream, through the codec.
func Streams(t testing.TB, store eventstore.Store, kind domain.StreamKind) map[string][]domain.Recorded {
	all, err := store.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	byStream := map[string][]eventstore.Event{}
	for _, e := range all {
		if e.StreamType == string(kind) {
			byStream[e.StreamID] = append(byStream[e.StreamID], e)
		}
	}
	out := map[string][]domain.Recorded{}
	for id, events := range byStream {
		history, err := eventlog.New().Decode(events)
		require.NoError(t, err)
		out[id] = history
	}
	return out
}
